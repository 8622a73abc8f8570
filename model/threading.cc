#include "model/threading.h"

#include <omp.h>

#include <algorithm>

#include "Eigen/Core"

namespace calico {

void SetModelThreads(int num_threads) {
  num_threads = std::max(1, num_threads);
  omp_set_num_threads(num_threads);
  Eigen::setNbThreads(num_threads);
}

int ModelThreads() { return omp_get_max_threads(); }

}  // namespace calico

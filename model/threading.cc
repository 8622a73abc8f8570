#include "model/threading.h"

#include <omp.h>

#include <algorithm>

namespace calico {

void SetModelThreads(int num_threads) { omp_set_num_threads(std::max(1, num_threads)); }

int ModelThreads() { return omp_get_max_threads(); }

}  // namespace calico

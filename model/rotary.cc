#include "model/rotary.h"

#include <cmath>

namespace calico {

template <typename T>
RotaryTable<T>::RotaryTable(int64_t first_position, int64_t count, int head_dim, double base)
    : first_(first_position), head_dim_(head_dim) {
  const int half = head_dim / 2;
  cos_.resize(count * half);
  sin_.resize(count * half);
  for (int64_t p = 0; p < count; ++p) {
    for (int i = 0; i < half; ++i) {
      const double angle =
          static_cast<double>(first_position + p) * std::pow(base, -2.0 * i / head_dim);
      cos_[p * half + i] = static_cast<T>(std::cos(angle));
      sin_[p * half + i] = static_cast<T>(std::sin(angle));
    }
  }
}

template <typename T>
void RotaryTable<T>::Rotate(T* x, int64_t position, bool inverse) const {
  const int half = head_dim_ / 2;
  const T* c = cos_.data() + (position - first_) * half;
  const T* s = sin_.data() + (position - first_) * half;
  for (int i = 0; i < half; ++i) {
    const T a = x[i], b = x[i + half];
    const T sn = inverse ? -s[i] : s[i];
    x[i] = a * c[i] - b * sn;
    x[i + half] = a * sn + b * c[i];
  }
}

template class RotaryTable<float>;
template class RotaryTable<double>;

}  // namespace calico

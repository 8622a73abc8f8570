// Eigen views of calico's flat row-major buffers (DESIGN.md "Conventions": flat arrays
// viewed with Eigen::Map).
#ifndef CALICO_MODEL_EIGEN_TYPES_H_
#define CALICO_MODEL_EIGEN_TYPES_H_

#include "Eigen/Core"

namespace calico {

template <typename T>
using RowMatrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <typename T>
using MatrixMap = Eigen::Map<RowMatrix<T>>;
template <typename T>
using ConstMatrixMap = Eigen::Map<const RowMatrix<T>>;
// A row-major block with a row stride other than its column count (one head's columns).
template <typename T>
using StridedMatrixMap = Eigen::Map<RowMatrix<T>, 0, Eigen::OuterStride<>>;
template <typename T>
using ConstStridedMatrixMap = Eigen::Map<const RowMatrix<T>, 0, Eigen::OuterStride<>>;
template <typename T>
using RowVectorMap = Eigen::Map<Eigen::Matrix<T, 1, Eigen::Dynamic>>;
template <typename T>
using ConstRowVectorMap = Eigen::Map<const Eigen::Matrix<T, 1, Eigen::Dynamic>>;

}  // namespace calico

#endif  // CALICO_MODEL_EIGEN_TYPES_H_

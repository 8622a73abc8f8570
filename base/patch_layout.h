// The image patch layout shared by the image tokenizer and the model (DESIGN.md "The
// token stream"): a 16x16 patch of 3 channels, flattened (row, column, channel). One
// header, so code that includes both tokenizers/ and model/ sees one definition.
#ifndef CALICO_BASE_PATCH_LAYOUT_H_
#define CALICO_BASE_PATCH_LAYOUT_H_

namespace calico {

inline constexpr int kPatchSide = 16;
inline constexpr int kPatchChannels = 3;
inline constexpr int kPatchValues = kPatchSide * kPatchSide * kPatchChannels;  // 768

}  // namespace calico

#endif  // CALICO_BASE_PATCH_LAYOUT_H_

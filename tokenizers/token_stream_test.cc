#include "tokenizers/token_stream.h"

#include <vector>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace calico {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A stream of timesteps with the given lengths; timestep t's first position is an image
// patch (so patches can be checked), the rest are actions with loss.
TokenStream MakeStream(const std::vector<int>& lengths) {
  TokenStream s;
  int32_t id = 0;
  for (size_t t = 0; t < lengths.size(); ++t) {
    s.timestep_starts.push_back(static_cast<int32_t>(s.ids.size()));
    for (int i = 0; i < lengths[t]; ++i) {
      const bool image = i == 0;
      s.ids.push_back(image ? -1 : id++);
      s.patch_index.push_back(image ? static_cast<int32_t>(s.patch_positions.size()) : -1);
      s.local_position.push_back(image ? 0 : kNoLocalPosition);
      s.loss_mask.push_back(image ? 0 : 1);
      s.kinds.push_back(image ? PositionKind::kImage : PositionKind::kAction);
      s.timestep.push_back(static_cast<int32_t>(t));
      if (image) {
        PatchPosition p;
        p.row_index = static_cast<int16_t>(t);
        s.patch_positions.push_back(p);
        s.patches.insert(s.patches.end(), kPatchValues, static_cast<float>(t));
      }
    }
  }
  return s;
}

TEST(TokenStreamTest, ClearEmptiesEveryArrayAndKeepsCapacity) {
  TokenStream s = MakeStream({3, 2, 4});
  s.sources.assign(s.ids.size(), TokenSource{0, 1});
  s.source_keys = {"pixels"};
  const size_t id_capacity = s.ids.capacity(), patch_capacity = s.patches.capacity();
  s.Clear();
  EXPECT_EQ(s.num_positions(), 0);
  EXPECT_EQ(s.num_timesteps(), 0);
  EXPECT_EQ(s.num_patches(), 0);
  EXPECT_TRUE(s.patch_index.empty() && s.local_position.empty() && s.loss_mask.empty() && s.kinds.empty() &&
              s.timestep.empty() && s.patches.empty() && s.sources.empty() && s.source_keys.empty());
  EXPECT_GE(s.ids.capacity(), id_capacity);
  EXPECT_GE(s.patches.capacity(), patch_capacity);
}

TEST(CutWindowTest, TakesTheMostWholeTimestepsThatFit) {
  const TokenStream stream = MakeStream({3, 4, 2, 5});  // starts 0, 3, 7, 9; 14 positions
  ASSERT_OK_AND_ASSIGN(TokenStream w, CutWindow(stream, 1, 7));
  // Timesteps 1 (4) and 2 (2) fit in 7; adding 3 (5) would need 11.
  EXPECT_EQ(w.num_positions(), 6);
  EXPECT_THAT(w.timestep_starts, ElementsAre(0, 4));
  EXPECT_THAT(w.timestep, ElementsAre(0, 0, 0, 0, 1, 1));
  EXPECT_EQ(w.ids[1], stream.ids[4]);
  // Renumbered patches: the window holds the patches of timesteps 1 and 2.
  EXPECT_EQ(w.num_patches(), 2);
  EXPECT_EQ(w.patch_index[0], 0);
  EXPECT_EQ(w.patch_index[4], 1);
  EXPECT_EQ(w.patch_positions[0].row_index, 1);
  EXPECT_EQ(w.patches[kPatchValues], 2.0f);
  EXPECT_EQ(w.loss_mask[0], 0);
}

TEST(CutWindowTest, ExactFitAndWholeStream) {
  const TokenStream stream = MakeStream({3, 4, 2, 5});
  ASSERT_OK_AND_ASSIGN(TokenStream all, CutWindow(stream, 0, 14));
  EXPECT_EQ(all.num_positions(), 14);
  EXPECT_EQ(all.num_timesteps(), 4);
  ASSERT_OK_AND_ASSIGN(TokenStream exact, CutWindow(stream, 2, 7));
  EXPECT_EQ(exact.num_positions(), 7);
  ASSERT_OK_AND_ASSIGN(TokenStream short_one, CutWindow(stream, 2, 6));
  EXPECT_EQ(short_one.num_positions(), 2);
}

TEST(CutWindowTest, FirstPositionLosesItsLoss) {
  TokenStream stream = MakeStream({3, 3});
  stream.loss_mask[3] = 1;  // pretend timestep 1 starts with a loss-carrying token
  ASSERT_OK_AND_ASSIGN(TokenStream w, CutWindow(stream, 1, 3));
  EXPECT_THAT(w.loss_mask, ElementsAre(0, 1, 1));
}

TEST(CutWindowTest, BadRequestsAreErrors) {
  const TokenStream stream = MakeStream({3, 4});
  EXPECT_THAT(CutWindow(stream, 1, 3),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("timestep 1 has 4 positions")));
  EXPECT_THAT(CutWindow(stream, 2, 10), StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("outside [0, 2)")));
  EXPECT_THAT(CutWindow(stream, 0, 0), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(">= 1")));
}

}  // namespace
}  // namespace calico

// The names of the stored sample figures, by the feature space that measures them (SPEC §5.4):
// the one list the evaluator writes under and the reports, rankings and regression rules read.
#pragma once

namespace rflab::results::metric {

// The evaluator mini-CLIP's image space ("mini-clip-evaluator").
inline constexpr const char* kClipFid = "clip_fid";
inline constexpr const char* kClipKid = "clip_kid";
inline constexpr const char* kClipKidStderr = "clip_kid_se";
// Its text-image agreement: the raw cosine and the same scaled by 100 (CLIP-score convention).
inline constexpr const char* kClipScore = "clip_score";
inline constexpr const char* kClipScore100 = "clip_score_100";
// The classifier's feature space ("classifier").
inline constexpr const char* kClassifierFd = "classifier_fd";
inline constexpr const char* kPrecision = "precision";
inline constexpr const char* kRecall = "recall";
inline constexpr const char* kDensity = "density";
inline constexpr const char* kCoverage = "coverage";
inline constexpr const char* kClassAccuracy = "class_accuracy";
// Inception-v3 pool features ("inception-v3"), when its weights are given.
inline constexpr const char* kInceptionFid = "inception_fid";
// Prompt following on the `shapes` dataset ("shapes-detector", docs/shapes.md): one image per
// prompt of the fixed prompt set, read back by the detector. The overall score is the mean of the
// six category rates (as GenEval); "<metric>/low" and "<metric>/high" are each figure's 95%
// interval (Wilson's per category, the normal interval of the mean overall). n is the number of
// prompts the figure is over.
inline constexpr const char* kShapesDetectorSpace = "shapes-detector";  // their feature_space
inline constexpr const char* kPromptScore = "prompt_score";
// Per category: kPromptCategoryPrefix + GenEval's tag ("single_object", "two_object", "counting",
// "colors", "position", "color_attr").
inline constexpr const char* kPromptCategoryPrefix = "prompt/";
inline constexpr const char* kIntervalLowSuffix = "/low";
inline constexpr const char* kIntervalHighSuffix = "/high";

}  // namespace rflab::results::metric

// `rflab shapes render | detect | prompts`: the procedural `shapes` dataset on the command line —
// one scene rendered to a PNG with its scene graph and both captions, the objects the detector
// finds in PNG images, and the evaluation prompt set. Torch-free: the front serves these. All
// computation lives in core/data/shapes; this file parses flags and prints.
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "core/data/shapes/captions.h"
#include "core/data/shapes/detector.h"
#include "core/data/shapes/prompts.h"
#include "core/data/shapes/render.h"
#include "core/data/shapes/scene.h"
#include "core/io/png_codec.h"
#include "experiments/command.h"
#include "results/atomic_file.h"
#include "results/error.h"

namespace rflab::experiments {
namespace {
// A namespace of its own for the using-directive: the unity build puts several cmd_*.cpp files into
// one translation unit, and the shapes vocabulary (Scene, Size, render) must not leak into them.
namespace shapes_cli {

using namespace rflab::shapes;

// --seed S: a non-negative integer (the dataset's or the prompt set's seed).
uint64_t shapes_seed_flag(Args& args) {
  const int64_t seed = args.get_int("seed", 0);
  if (seed < 0) throw_input_error("", "--seed", "a non-negative integer", std::to_string(seed));
  return static_cast<uint64_t>(seed);
}

std::string shapes_point(double x, double y) { return fmt::format("({:.2f}, {:.2f})", x, y); }

nlohmann::json shapes_object_json(Shape shape, Colour colour, Size size, double x, double y) {
  return {{"shape", shape_name(shape)}, {"colour", colour_name(colour)}, {"size", size_name(size)}, {"x", x}, {"y", y}};
}

int run_shapes_render(Args& args) {
  const bool json = args.has_switch("json");
  const auto index_text = args.get("index");
  const uint64_t seed = shapes_seed_flag(args);
  const auto out = args.get("out");
  args.finish();
  if (!args.positional().empty()) throw UsageError("unexpected argument '" + args.positional()[0] + "'");
  if (!index_text) throw UsageError("--index I is required");
  const int64_t index = args.get_int("index", 0);
  if (index < 0) throw_input_error("", "--index", "a non-negative integer", "'" + *index_text + "'");

  const Scene scene = scene_at(seed, index);
  if (out) {
    const std::vector<uint8_t> pixels = to_uint8(render(scene));
    const auto bytes = core::encode_png(pixels.data(), kImageSize, kImageSize, 3);
    if (!bytes) throw std::runtime_error("PNG encoding failed");
    results::write_file_atomic(*out, *bytes);
  }
  const auto split = split_of(index);
  const std::string original = original_caption(scene, seed, index), synthetic = synthetic_caption(scene);
  if (json) {
    nlohmann::json objects = nlohmann::json::array();
    for (const Object& o : scene.objects) objects.push_back(shapes_object_json(o.shape, o.colour, o.size, o.x, o.y));
    const nlohmann::json j = {{"seed", seed},
                              {"index", index},
                              {"split", split ? nlohmann::json(split_name(*split)) : nlohmann::json(nullptr)},
                              {"background", scene.background},
                              {"objects", objects},
                              {"captions", {{"original", original}, {"synthetic", synthetic}}},
                              {"png", out ? nlohmann::json(*out) : nlohmann::json(nullptr)}};
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::cout << fmt::format("scene {} of seed {} ({} split), background grey {:.3f}\n", index, seed,
                           split ? split_name(*split) : "no", scene.background);
  for (const Object& o : scene.objects)
    std::cout << fmt::format("  {} {} {} at {}\n", size_name(o.size), colour_name(o.colour), shape_name(o.shape),
                             shapes_point(o.x, o.y));
  std::cout << fmt::format("original caption:  {}\nsynthetic caption: {}\n", original, synthetic);
  if (out) std::cout << fmt::format("written to {}\n", *out);
  return 0;
}

// The image of a PNG file as render.h's float HWC layout; UserError unless it is 32x32 RGB(A).
std::vector<float> shapes_read_image(const std::string& path) {
  const core::PngPixels png = core::decode_png(results::read_file(path), path);
  if (png.width != kImageSize || png.height != kImageSize || (png.channels != 3 && png.channels != 4))
    throw_input_error(path, "image", fmt::format("a {0}x{0} RGB image", kImageSize),
                      fmt::format("{}x{} with {} channel(s)", png.width, png.height, png.channels));
  std::vector<uint8_t> rgb;
  rgb.reserve(size_t(kImageValues));
  for (size_t p = 0; p < size_t(kImageSize * kImageSize); ++p)
    for (size_t c = 0; c < 3; ++c) rgb.push_back(png.data[p * size_t(png.channels) + c]);
  return from_uint8(rgb.data(), rgb.size());
}

int run_shapes_detect(Args& args) {
  const bool json = args.has_switch("json");
  args.finish();
  const std::vector<std::string> paths = args.positional();
  if (paths.empty()) throw UsageError("expected one or more PNG files");
  // Every image is read before anything is printed, so a bad file leaves no partial output.
  std::vector<std::vector<DetectedObject>> found;
  for (const auto& p : paths) found.push_back(detect(shapes_read_image(p)));
  if (json) {
    nlohmann::json all = nlohmann::json::array();
    for (size_t i = 0; i < paths.size(); ++i) {
      nlohmann::json objects = nlohmann::json::array();
      for (const DetectedObject& o : found[i]) {
        nlohmann::json j = shapes_object_json(o.shape, o.colour, o.size, o.x, o.y);
        j["area"] = o.area, j["mismatch"] = o.mismatch;
        objects.push_back(j);
      }
      all.push_back({{"path", paths[i]}, {"objects", objects}});
    }
    std::cout << all.dump(2) << "\n";
    return 0;
  }
  for (size_t i = 0; i < paths.size(); ++i) {
    std::cout << fmt::format("{}: {} object(s)\n", paths[i], found[i].size());
    for (const DetectedObject& o : found[i])
      std::cout << fmt::format("  {} {} {} at {} (area {:.1f}, mismatch {:.3f})\n", size_name(o.size),
                               colour_name(o.colour), shape_name(o.shape), shapes_point(o.x, o.y), o.area, o.mismatch);
  }
  return 0;
}

nlohmann::json shapes_needs_json(const Prompt& p) {
  nlohmann::json needs = nlohmann::json::array();
  for (const ObjectNeed& n : p.needs)
    needs.push_back({{"shape", shape_name(n.shape)},
                     {"colour", n.colour ? nlohmann::json(colour_name(*n.colour)) : nlohmann::json(nullptr)},
                     {"count", n.count},
                     {"exact", n.exact}});
  return needs;
}

std::string shapes_needs_text(const Prompt& p) {
  std::string out;
  for (size_t i = 0; i < p.needs.size(); ++i) {
    const ObjectNeed& n = p.needs[i];
    if (i > 0) out += "; ";
    out += fmt::format("{} {} {}{}", n.exact ? "exactly" : ">=", n.count, n.colour ? colour_name(*n.colour) + " " : "",
                       n.count == 1 ? shape_name(n.shape) : shape_plural(n.shape));
  }
  if (p.relation) out += fmt::format("; the {} {} the {}", shape_name(p.needs[0].shape), relation_phrase(*p.relation),
                                     shape_name(p.needs[1].shape));
  return out;
}

int run_shapes_prompts(Args& args) {
  const bool json = args.has_switch("json");
  const uint64_t seed = shapes_seed_flag(args);
  const int64_t per_category = args.get_int("per-category", kDefaultPromptsPerCategory);
  args.finish();
  if (!args.positional().empty()) throw UsageError("unexpected argument '" + args.positional()[0] + "'");
  if (per_category < 1 || per_category > 1'000'000)
    throw_input_error("", "--per-category", "an integer in [1, 1000000]", std::to_string(per_category));
  const std::vector<Prompt> prompts = prompt_set(seed, static_cast<int>(per_category));
  if (json) {
    nlohmann::json all = nlohmann::json::array();
    for (const Prompt& p : prompts)
      all.push_back({{"id", p.id},
                     {"category", category_name(p.category)},
                     {"text", p.text},
                     {"needs", shapes_needs_json(p)},
                     {"relation", p.relation ? nlohmann::json(relation_name(*p.relation)) : nlohmann::json(nullptr)}});
    std::cout << all.dump(2) << "\n";
    return 0;
  }
  for (const Prompt& p : prompts)
    std::cout << fmt::format("{:>5}  {:<13} {:<44} {}\n", p.id, category_name(p.category), p.text, shapes_needs_text(p));
  return 0;
}

RFLAB_COMMAND(Command{
    "shapes render", "render one image of the procedural shapes dataset, with its scene and captions",
    "usage: rflab shapes render --index I [--seed S] [--out F.png] [--json]\n\n"
    "Scene I of the shapes dataset with seed S (default 0): prints its objects (shape, colour, size,\n"
    "centre of the bounding square in pixels, y down), its split and both captions, the terse\n"
    "original one and the complete synthetic one. Splits: train [0, 1e9), validation\n"
    "[1e9, 1e9 + 1e4), held-out [2e9, 2e9 + 1e4).\n\n"
    "  --index I    the image's index, a non-negative integer (required)\n"
    "  --seed S     the dataset seed, a non-negative integer (default 0)\n"
    "  --out F.png  also write the 32x32 RGB image to F.png\n"
    "  --json       print a JSON object instead of text",
    run_shapes_render});

RFLAB_COMMAND(Command{
    "shapes detect", "the objects the exact shapes detector finds in 32x32 PNG images",
    "usage: rflab shapes detect F.png... [--json]\n\n"
    "Runs the shapes detector on each 32x32 RGB (or RGBA, alpha ignored) PNG and prints the objects\n"
    "it finds: shape, colour, size, centre, soft area and the fit's mismatch (0 for a clean render).\n\n"
    "  --json   print a JSON array, one {path, objects} per image",
    run_shapes_detect});

RFLAB_COMMAND(Command{
    "shapes prompts", "the GenEval-style evaluation prompt set of the shapes domain",
    "usage: rflab shapes prompts [--seed S] [--per-category N] [--json]\n\n"
    "Lists the prompt set: each prompt's id, category (single_object, two_object, counting,\n"
    "colors, position, color_attr), text and the objects, counts, colours and relation it asks for.\n\n"
    "  --seed S            the prompt set's seed, a non-negative integer (default 0)\n"
    "  --per-category N    prompts per category (default 385: a 95% interval of +-5 points)\n"
    "  --json              print a JSON array instead of text",
    run_shapes_prompts});

}  // namespace shapes_cli
}  // namespace
}  // namespace rflab::experiments

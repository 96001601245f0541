#include "experiments/conditioner.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/data/fashion_mnist.h"
#include "eval/model_cache.h"
#include "results/error.h"

namespace rflab::experiments {

namespace {
void require_width(const nlohmann::json& rc, const char* key, int64_t expected, const char* what) {
  const int64_t v = rc.at("model").at(key).get<int64_t>();
  if (v != expected)
    throw_input_error("run config", std::string("model.") + key,
                      fmt::format("{} (the conditioner mini-CLIP's {})", expected, what), std::to_string(v));
}
// An exclusive flock on <cache file>.lock for the lifetime of the object: two processes needing
// one conditioner (sweep workers, Slurm tasks, parallel tests) train it once, the second loads.
class CacheFileLock {
 public:
  explicit CacheFileLock(const std::string& cache_file) {
    std::filesystem::create_directories(std::filesystem::path(cache_file).parent_path());
    const std::string path = cache_file + ".lock";
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw std::runtime_error("open " + path + ": " + std::strerror(errno));
    while (::flock(fd_, LOCK_EX) != 0)
      if (errno != EINTR) throw std::runtime_error("flock " + path + ": " + std::strerror(errno));
  }
  ~CacheFileLock() { ::close(fd_); }
  CacheFileLock(const CacheFileLock&) = delete;
  CacheFileLock& operator=(const CacheFileLock&) = delete;

 private:
  int fd_ = -1;
};
}  // namespace

eval::MiniClipConfig conditioner_config(const nlohmann::json& rc) {
  auto c = eval::MiniClipConfig::conditioner();
  const auto& text = rc.at("text");
  c.steps = text.at("clip_steps").get<int64_t>();
  c.seed = text.at("clip_seed").get<uint64_t>();
  c.max_tokens = text.at("max_tokens").get<int64_t>();
  c.image_size = rc.at("data").at("image_size").get<int64_t>();
  require_width(rc, "context_dim", c.text_width, "text width");
  if (rc.at("model").at("pooled_dim").get<int64_t>() != 0) require_width(rc, "pooled_dim", c.embed_dim, "embedding width");
  return c;
}

core::TextConditioner load_or_train_conditioner(const nlohmann::json& rc, const std::string& cache_dir,
                                                std::ostream* log) {
  const auto config = conditioner_config(rc);
  const auto data = eval::EvalDataset::fashion_mnist(core::FashionMnist::load(
      rc.at("data").at("root").get<std::string>(), rc.at("data").at("image_size").get<int64_t>()));
  const std::string file = eval::cache_path(cache_dir, "clip", eval::mini_clip_cache_key(config, data));
  CacheFileLock lock(file);
  if (log && !std::filesystem::exists(file))
    *log << fmt::format("conditioner: training the mini-CLIP ({} steps, seed {}) into {}", config.steps, config.seed,
                        cache_dir)
         << std::endl;
  auto trained = eval::load_or_train_mini_clip(config, data, cache_dir);
  if (log)
    *log << fmt::format("conditioner: mini-CLIP {} {} (held-out zero-shot accuracy {:.3f})",
                        trained.from_cache ? "loaded from" : "trained and cached at", trained.path,
                        trained.report.heldout_zero_shot_accuracy)
         << std::endl;
  trained.model->freeze();
  return {trained.model->text, trained.model->tokenizer, trained.key};
}

}  // namespace rflab::experiments

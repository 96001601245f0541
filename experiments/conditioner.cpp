#include "experiments/conditioner.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "eval/model_cache.h"
#include "results/error.h"

namespace rflab::experiments {

namespace {
void require_width(const char* key, int64_t value, int64_t expected, const char* what) {
  if (value != expected)
    throw_input_error("run config", key, fmt::format("{} (the conditioner mini-CLIP's {})", expected, what),
                      std::to_string(value));
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

eval::MiniClipConfig conditioner_config(const results::RunConfig& rc) {
  auto c = eval::MiniClipConfig::conditioner();
  c.steps = rc.text.clip_steps;
  c.seed = rc.text.clip_seed;
  c.max_tokens = rc.text.max_tokens;
  c.image_size = rc.data.image_size;
  if (rc.data.dataset == "shapes") c.in_channels = results::kShapesChannels;
  require_width("model.context_dim", rc.model.context_dim, c.text_width, "text width");
  if (rc.model.pooled_dim != 0) require_width("model.pooled_dim", rc.model.pooled_dim, c.embed_dim, "embedding width");
  return c;
}

core::TextConditioner load_or_train_conditioner(const results::RunConfig& rc, const std::string& cache_dir,
                                                std::ostream* log) {
  const auto config = conditioner_config(rc);
  const auto data = eval::EvalDataset::for_runs_on(rc.data);
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

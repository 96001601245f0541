#include "core/train/trainer.h"


#include <fmt/format.h>

#include <chrono>
#include <deque>
#include <cmath>
#include <filesystem>
#include <optional>

#include "core/model/shape/model_size.h"
#include "core/train/backward_in_parts.h"
#include "core/train/fused_adamw.h"
#include "core/train/gradients.h"
#include "core/train/seeds.h"
#include "core/util/device.h"
#include "results/error.h"

namespace rflab::core {

Trainer::Trainer(const results::RunConfig& rc, TextConditioner conditioner, std::string out_dir, MetricSink& sink)
    : config_(rc),
      out_dir_(std::move(out_dir)),
      sink_(sink),
      data_(load_dataset(rc.data)),
      ema_rule_(rc.train.ema_decay, rc.train.ema_every) {
  seed_ = rc.train.seed;
  batch_size_ = rc.train.batch_size;
  {
    const auto shape = BackboneConfig::from_run_config(rc);
    train_flops_per_step_ = train_flops_per_sample(shape, image_tokens(shape, rc.data.image_size), rc.text.max_tokens) *
                            static_cast<double>(batch_size_);
  }
  // Initialisation draws from torch's default generator, seeded from the run seed (D26).
  torch::manual_seed(mix_seed(seed_, Stream::init, 0));
  live_ = std::make_unique<TextToImage>(rc, conditioner);
  ema_ = std::make_unique<TextToImage>(rc, conditioner);
  Ema::copy(*live_->backbone, *ema_->backbone);
  for (auto& p : ema_->parameters()) p.set_requires_grad(false);
  auto opts = torch::optim::AdamWOptions(rc.train.lr)
                  .betas({rc.train.beta1, rc.train.beta2})
                  .eps(rc.train.adam_eps)
                  .weight_decay(rc.train.weight_decay);
  device_ = device_named(rc.train.device, "train.device");
  train_images_ = data_.train.images.to(device_);
  if (!device_.is_cpu()) {
    live_->to(device_);
    ema_->to(device_);  // the tower is shared: moved once already, a no-op here
  }
  optimizer_ = std::make_unique<FusedAdamW>(live_->parameters(), opts);
  for (const auto& p : live_->parameters()) parameter_count_ += p.numel();
  val_set_ = validation_set(data_, rc.eval);
}

int64_t Trainer::resume() {
  if (!std::filesystem::exists(checkpoint_path())) return 0;
  auto ck = read_checkpoint(checkpoint_path());
  // The device is where a run executes, not what it computes: a checkpoint written on a GPU
  // resumes on the CPU and the reverse (its tensors are stored on the CPU).
  auto executed_anywhere = [](nlohmann::json c) {
    c["train"].erase("device");
    return c;
  };
  if (executed_anywhere(ck.meta.config.json()) != executed_anywhere(config_.json()))
    throw UserError(checkpoint_path() + ": config: expected the config of this run, got another run's checkpoint");
  if (ck.meta.conditioner_key != live_->conditioner.key)
    throw_input_error(checkpoint_path(), "__metadata__.conditioner_key",
                      "the conditioner in use, " + live_->conditioner.key.substr(0, 12) + "...",
                      "a checkpoint trained with conditioner " + ck.meta.conditioner_key.substr(0, 12) +
                          "... (another mini-CLIP; move the run directory away to retrain)");
  load_weights(*live_, ck, "model.", checkpoint_path());
  load_weights(*ema_, ck, "ema.model.", checkpoint_path());
  load_optimizer(*optimizer_, ck, checkpoint_path());
  step_ = ck.meta.step;
  best_val_ = ck.meta.best_val;
  best_step_ = ck.meta.best_step;
  window_loss_sum_ = ck.meta.window_loss_sum;
  window_loss_n_ = ck.meta.window_loss_n;
  recent_losses_.assign(ck.meta.recent_losses.begin(), ck.meta.recent_losses.end());
  recent_loss_sum_ = ck.meta.recent_loss_sum;
  return step_;
}

torch::Tensor Trainer::batch_indices(int64_t step) {
  // Sample j of the run (j = step·B + i) is position j mod N of epoch j div N's permutation.
  const int64_t N = data_.train.images.size(0);
  std::vector<int64_t> idx(batch_size_);
  for (int64_t i = 0; i < batch_size_; ++i) {
    const int64_t j = step * batch_size_ + i;
    const int64_t epoch = j / N;
    if (epoch != cached_epoch_) {
      auto gen = make_cpu_generator(seed_, Stream::data_order, static_cast<uint64_t>(epoch));
      permutation_ = torch::randperm(N, gen, torch::kInt64);
      cached_epoch_ = epoch;
    }
    idx[i] = permutation_[j % N].item<int64_t>();
  }
  return torch::tensor(idx, torch::kInt64);
}

Trainer::HostBatch Trainer::host_batch(int64_t step) {
  const uint64_t s = static_cast<uint64_t>(step);
  HostBatch b;
  b.indices = batch_indices(step);
  const auto rows = b.indices.accessor<int64_t, 1>();
  std::mt19937_64 caption_rng(mix_seed(seed_, Stream::captions, s));
  for (int64_t i = 0; i < batch_size_; ++i) b.captions.push_back(data_.train_caption(rows[i], caption_rng));
  b.drop = torch::rand({batch_size_}, make_cpu_generator(seed_, Stream::dropout, s)) < config_.data.cond_dropout;
  b.levels = live_->formulation.sample_levels(batch_size_, make_cpu_generator(seed_, Stream::levels, s));
  const auto& images = data_.train.images;
  b.eps = torch::randn({batch_size_, images.size(1), images.size(2), images.size(3)},
                       make_cpu_generator(seed_, Stream::noise, s));
  if (device_.is_cuda()) {
    b.indices = b.indices.pin_memory();
    b.drop = b.drop.pin_memory();
    b.eps = b.eps.pin_memory();
  }
  return b;
}

Trainer::HostBatch Trainer::take_host_batch() {
  // The prefetch thread is joined before anything else draws: host_batch is not reentrant (it
  // caches the epoch's permutation). A prefetch of another step (a resume moved it) is dropped.
  std::optional<HostBatch> prefetched;
  if (prefetch_.valid()) {
    HostBatch p = prefetch_.get();
    if (prefetch_step_ == step_) prefetched = std::move(p);
  }
  HostBatch b = prefetched ? std::move(*prefetched) : host_batch(step_);
  if (device_.is_cuda() && step_ + 1 < config_.train.steps) {
    prefetch_step_ = step_ + 1;
    prefetch_ = std::async(std::launch::async, [this, next = prefetch_step_] { return host_batch(next); });
  }
  return b;
}

double Trainer::step() {
  auto& sys = *live_;
  const auto& f = sys.formulation;
  HostBatch b = take_host_batch();
  const bool async = device_.is_cuda();  // from pinned memory
  auto x0 = train_images_.index_select(0, b.indices.to(device_, async));
  auto cond = drop_conditioning(sys.encode(b.captions), b.drop.to(device_, async));
  const auto& levels = b.levels;
  auto eps = b.eps.to(device_, async);
  auto z = f.noised(x0, eps, levels);
  auto in = f.net_input(z, levels);
  auto c_t = levels.c_t.to(device_);
  release_gradients(*optimizer_);
  torch::Tensor loss;
  if (device_.is_cpu()) {
    loss = backward_in_parts(sys.network(), sys.parameters(), in, c_t, cond, [&](const torch::Tensor& out) { return f.loss(out, x0, eps, levels).mean(); });
  } else {
    loss = f.loss(sys.network()(in, c_t, cond), x0, eps, levels).mean();
    loss.backward();
  }
  const double clip = config_.train.grad_clip;
  if (clip > 0) torch::nn::utils::clip_grad_norm_(sys.parameters(), clip);
  const int64_t warmup = config_.train.warmup_steps;
  const double lr = config_.train.lr *
                    (warmup > 0 ? std::min(1.0, static_cast<double>(step_ + 1) / warmup) : 1.0);
  for (auto& group : optimizer_->param_groups()) static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
  optimizer_->step();
  ++step_;
  ema_rule_.after_step(step_, *sys.backbone, *ema_->backbone);
  return loss.item<double>();
}

void Trainer::save(const std::string& path) {
  CheckpointMeta meta;
  meta.step = step_;
  meta.config = config_;
  meta.vocabulary = live_->conditioner.tokenizer.vocabulary();
  meta.best_val = best_val_;
  meta.best_step = best_step_;
  meta.window_loss_sum = window_loss_sum_;
  meta.window_loss_n = window_loss_n_;
  meta.recent_losses.assign(recent_losses_.begin(), recent_losses_.end());
  meta.recent_loss_sum = recent_loss_sum_;
  save_checkpoint(path, *live_, *ema_, optimizer_.get(), meta);
}

bool Trainer::validate() {
  auto t0 = std::chrono::steady_clock::now();
  ema_->backbone->eval();
  auto v = validation_loss(*ema_, val_set_, config_.eval.val_seed);
  auto metrics = validation_metrics(v, "val/");
  // Training compute so far (SPEC §8, D24): 6·MACs_fwd per sample × batch × steps.
  metrics.emplace_back("train/flops", train_flops_per_step_ * static_cast<double>(step_));
  // The backbone's size beside its compute, for comparisons at equal parameters (architectures).
  metrics.emplace_back("model/parameters", static_cast<double>(parameter_count_));
  sink_.metrics(step_, metrics);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  sink_.log(fmt::format("step {:>6}  val native {:.5f}  velocity {:.5f}  ({:.1f} s)", step_, v.native_mean,
                        v.velocity_mean, secs));
  if (!(v.native_mean < best_val_)) return false;  // strict: ties keep the earliest step (D12)
  best_val_ = v.native_mean;
  best_step_ = step_;
  return true;
}

TrainResult Trainer::run(results::PhaseClock* clock) {
  using results::Phase;
  auto timed = [clock](Phase phase, auto&& f) {
    if (clock) clock->time(phase, f);
    else f();
  };
  std::filesystem::create_directories(out_dir_);
  const int64_t total = config_.train.steps;
  const int64_t log_every = config_.train.log_every;
  const int64_t ckpt_every = config_.train.checkpoint_every;
  const int64_t eval_every = config_.eval.every;
  const double spike = config_.train.divergence_factor;
  auto& recent = recent_losses_;  // the last 100 losses, for the spike guard
  auto& recent_sum = recent_loss_sum_;
  auto& loss_sum = window_loss_sum_;  // the training-loss window since the last log row
  auto& loss_n = window_loss_n_;
  TrainResult r;
  // The throughput rows count the steps' own time: the validation and checkpoints between them are
  // timed as their own phases.
  double window_seconds = 0;
  int64_t t0_step = step_;
  live_->backbone->train();
  while (step_ < total) {
    if (sink_.stop_requested()) {
      timed(Phase::checkpoints, [&] { save(checkpoint_path()); });
      r.outcome = TrainOutcome::stopped;
      break;
    }
    double loss = 0;
    const auto s0 = std::chrono::steady_clock::now();
    timed(Phase::training, [&] { loss = step(); });
    window_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - s0).count();
    r.last_loss = loss;
    if (!std::isfinite(loss)) {
      r.outcome = TrainOutcome::diverged;
      r.error = fmt::format("non-finite training loss {} at step {}", loss, step_);
      break;
    }
    if (spike > 0 && recent.size() == 100 && loss > spike * recent_sum / 100) {
      r.outcome = TrainOutcome::diverged;
      r.error = fmt::format("loss spike at step {}: {:.4g} > {} x {:.4g} (mean of the previous 100 steps)", step_, loss,
                            spike, recent_sum / 100);
      break;
    }
    recent.push_back(loss);
    recent_sum += loss;
    if (recent.size() > 100) {
      recent_sum -= recent.front();
      recent.pop_front();
    }
    loss_sum += loss;
    ++loss_n;
    if (step_ % log_every == 0 || step_ == total) {
      double rate = static_cast<double>((step_ - t0_step) * batch_size_) / std::max(window_seconds, 1e-9);
      sink_.metrics(step_, {{"train/loss", loss_sum / loss_n}, {"train/samples_per_s", rate}});
      sink_.log(fmt::format("step {:>6}/{}  loss {:.5f}  {:.1f} samples/s", step_, total, loss_sum / loss_n, rate));
      loss_sum = 0;
      loss_n = 0;
      window_seconds = 0;
      t0_step = step_;
    }
    bool best = false;
    if (step_ % eval_every == 0 || step_ == total) timed(Phase::validation, [&] { best = validate(); });
    if (best) timed(Phase::checkpoints, [&] { save(best_path()); });
    if (step_ % ckpt_every == 0 || step_ == total) timed(Phase::checkpoints, [&] { save(checkpoint_path()); });
  }
  r.step = step_;
  r.best_val = best_val_;
  r.best_step = best_step_;
  return r;
}

torch::Tensor Trainer::sample_grid(int64_t per_class) {
  std::vector<std::string> prompts;
  for (const auto& p : data_.grid_prompts)
    for (int64_t i = 0; i < per_class; ++i) prompts.push_back(p);
  SamplerOptions o;
  o.steps = config_.eval.sample_steps;
  o.cfg = config_.eval.sample_cfg;
  ema_->backbone->eval();
  return ema_->generate(prompts, o, config_.eval.sample_seed);
}

}  // namespace rflab::core

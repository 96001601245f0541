#include "eval/model_cache.h"

#include <algorithm>
#include <filesystem>

#include "core/io/safetensors.h"
#include "eval/eval_dataset.h"
#include "results/error.h"
#include "results/sha256.h"

namespace rflab::eval {
namespace {

constexpr const char* kFormat = "rflab-evaluator-v1";

std::string weights_sha256(const std::map<std::string, torch::Tensor>& tensors) {
  std::string s;
  for (const auto& [name, t] : tensors) s += name + ":" + tensor_sha256(t) + "\n";
  return results::sha256_hex(s);
}

std::string meta(const std::map<std::string, std::string>& m, const std::string& key, const std::string& path) {
  auto it = m.find(key);
  if (it == m.end()) throw_input_error(path, "__metadata__." + key, "a value (file written by rflab)", "nothing");
  return it->second;
}

nlohmann::json meta_json(const std::map<std::string, std::string>& m, const std::string& key, const std::string& path) {
  const std::string text = meta(m, key, path);
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception&) {
    throw_input_error(path, "__metadata__." + key, "JSON", "'" + text.substr(0, 60) + "'");
  }
}

}  // namespace

std::string cache_key(const std::string& kind, const nlohmann::json& config, const std::string& dataset_identity) {
  return results::sha256_hex(std::string(kFormat) + "\n" + kind + "\n" + config.dump() + "\n" + dataset_identity);
}

std::string cache_path(const std::string& dir, const std::string& kind, const std::string& key) {
  return (std::filesystem::path(dir) / (kind + "-" + key.substr(0, 12) + ".safetensors")).string();
}

void write_network(const StoredNetwork& net) {
  std::map<std::string, std::string> m = {
      {"format", kFormat},
      {"kind", net.kind},
      {"cache_key", net.key},
      {"dataset_identity", net.dataset_identity},
      {"config", net.config.dump()},
      {"report", net.report.dump()},
      {"vocabulary", nlohmann::json(net.vocabulary).dump()},
      {"weights_sha256", weights_sha256(net.tensors)},
  };
  core::write_safetensors(net.path, net.tensors, m);
}

StoredNetwork read_network(const std::string& path, const std::string& kind) {
  core::Safetensors st = core::read_safetensors(path);
  StoredNetwork net;
  net.path = path;
  if (meta(st.metadata, "format", path) != kFormat)
    throw_input_error(path, "__metadata__.format", kFormat, meta(st.metadata, "format", path));
  net.kind = meta(st.metadata, "kind", path);
  if (net.kind != kind) throw_input_error(path, "__metadata__.kind", "'" + kind + "'", "'" + net.kind + "'");
  net.key = meta(st.metadata, "cache_key", path);
  net.dataset_identity = meta(st.metadata, "dataset_identity", path);
  net.config = meta_json(st.metadata, "config", path);
  net.report = meta_json(st.metadata, "report", path);
  const auto vocabulary = meta_json(st.metadata, "vocabulary", path);
  if (!vocabulary.is_array()) throw_input_error(path, "__metadata__.vocabulary", "a JSON array", vocabulary.dump());
  net.vocabulary = vocabulary.get<std::vector<std::string>>();
  net.tensors = std::move(st.tensors);
  const std::string want = meta(st.metadata, "weights_sha256", path);
  const std::string got = weights_sha256(net.tensors);
  if (want != got)
    throw UserError(path + ": corrupt " + kind + " cache file: the weights do not match their checksum (stored " +
                    want.substr(0, 12) + ", computed " + got.substr(0, 12) + "); delete the file to retrain");
  return net;
}

std::map<std::string, torch::Tensor> module_tensors(const torch::nn::Module& m) {
  std::map<std::string, torch::Tensor> out;
  for (const auto& p : m.named_parameters()) out[p.key()] = p.value().detach().cpu().contiguous();
  for (const auto& b : m.named_buffers()) out[b.key()] = b.value().detach().cpu().contiguous();
  return out;
}

void load_module_tensors(torch::nn::Module& m, const std::map<std::string, torch::Tensor>& tensors,
                         const std::string& source) {
  torch::NoGradGuard no_grad;
  size_t matched = 0;
  auto copy = [&](const std::string& name, torch::Tensor& dst) {
    auto it = tensors.find(name);
    if (it == tensors.end()) throw_input_error(source, name, "a tensor of shape " + c10::str(dst.sizes()), "nothing");
    if (it->second.sizes() != dst.sizes() || it->second.scalar_type() != dst.scalar_type())
      throw_input_error(source, name, std::string(dst.dtype().name()) + " " + c10::str(dst.sizes()),
                        std::string(it->second.dtype().name()) + " " + c10::str(it->second.sizes()));
    dst.copy_(it->second);
    ++matched;
  };
  for (auto& p : m.named_parameters()) copy(p.key(), p.value());
  for (auto& b : m.named_buffers()) copy(b.key(), b.value());
  if (matched != tensors.size()) {
    auto names = module_tensors(m);
    for (const auto& [name, t] : tensors)
      if (!names.count(name)) throw_input_error(source, name, "no such tensor in the model", c10::str(t.sizes()));
  }
}

std::vector<StoredNetwork> list_networks(const std::string& dir, const std::string& kind,
                                         std::vector<std::string>* errors) {
  std::vector<StoredNetwork> out;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return out;
  std::vector<std::string> paths;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind(kind + "-", 0) == 0 && e.path().extension() == ".safetensors") paths.push_back(e.path().string());
  }
  std::sort(paths.begin(), paths.end());
  for (const auto& p : paths) {
    try {
      out.push_back(read_network(p, kind));
    } catch (const UserError& e) {
      if (errors) errors->push_back(e.what());
    }
  }
  return out;
}

}  // namespace rflab::eval

#include "advbn/core/adv_batch_norm.h"

#include <torch/torch.h>

#include "advbn/core/phase_times.h"

namespace advbn {

namespace {

torch::Tensor rescaled(const torch::Tensor& features, const torch::Tensor& mean,
                       const torch::Tensor& delta_mu, const torch::Tensor& delta_sigma) {
  // A product and a sum, not a fused addcmul: where δμ = δσ the zeros of post-ReLU features map to
  // an exact 0 only so, and the clamp's gradient at 0 depends on it.
  const auto channel_mean = as_channel_tensor(mean);
  return as_channel_tensor(delta_sigma) * (features - channel_mean) + as_channel_tensor(delta_mu) * channel_mean;
}

// The multiplicative perturbation δσ·(f − μ) + δμ·μ (clamped at 0 after a ReLU) with a backward
// pass that recomputes f − μ and the clamp's mask from f, which the caller keeps anyway, instead of
// saving both: two feature-sized tensors fewer held during each attack step. Differentiable in
// every tensor input.
class MultiplicativePerturbation : public torch::autograd::Function<MultiplicativePerturbation> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& features,
                               const torch::Tensor& mean, const torch::Tensor& delta_mu,
                               const torch::Tensor& delta_sigma, bool relu_clamp) {
    ctx->save_for_backward({features, mean, delta_mu, delta_sigma});
    ctx->saved_data["relu_clamp"] = relu_clamp;
    const auto out = rescaled(features, mean, delta_mu, delta_sigma);
    return relu_clamp ? out.clamp_min_(0) : out;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_outputs) {
    const auto saved = ctx->get_saved_variables();
    const auto &features = saved[0], &mean = saved[1], &delta_mu = saved[2], &delta_sigma = saved[3];
    auto grad = grad_outputs[0];
    if (ctx->saved_data["relu_clamp"].toBool()) {
      // clamp_min passes the gradient where its input is ≥ 0.
      grad = grad * rescaled(features, mean, delta_mu, delta_sigma).ge(0);
    }
    const std::vector<int64_t> channel_dims = {0, 2, 3};
    torch::Tensor grad_features, grad_mean, grad_mu, grad_sigma;
    if (ctx->needs_input_grad(0)) grad_features = grad * as_channel_tensor(delta_sigma);
    if (ctx->needs_input_grad(1) || ctx->needs_input_grad(2)) {
      const auto grad_sum = grad.sum(channel_dims);
      if (ctx->needs_input_grad(1)) grad_mean = grad_sum * (delta_mu - delta_sigma);
      if (ctx->needs_input_grad(2)) grad_mu = grad_sum * mean;
    }
    if (ctx->needs_input_grad(3)) {
      grad_sigma = (grad * (features - as_channel_tensor(mean))).sum(channel_dims);
    }
    return {grad_features, grad_mean, grad_mu, grad_sigma, torch::Tensor()};
  }
};

}  // namespace

AdvBatchNorm::AdvBatchNorm(AdvBNOptions options, ReplicaSum replicas)
    : options_(options), replicas_(std::move(replicas)) {
  options_.validate();
}

AdvBatchNorm::Bounds AdvBatchNorm::bounds(const FeatureStats& stats) const {
  const double eps = options_.epsilon;
  if (options_.kind == PerturbationKind::Multiplicative) {
    auto low = torch::full_like(stats.mean, 1.0 - eps);
    auto high = torch::full_like(stats.mean, 1.0 + eps);
    return {low, high, low, high};
  }
  // Additive offsets are bounded relative to the largest channel statistic of the batch.
  auto mu_radius = (eps * stats.mean.abs().max()).expand_as(stats.mean);
  auto sigma_radius = (eps * stats.std.max()).expand_as(stats.std);
  return {-mu_radius, mu_radius, -sigma_radius, sigma_radius};
}

torch::Tensor AdvBatchNorm::perturb(const torch::Tensor& features, const FeatureStats& stats,
                                    const torch::Tensor& delta_mu,
                                    const torch::Tensor& delta_sigma) const {
  if (options_.kind == PerturbationKind::Multiplicative) {
    // δσ·(f − μ) + δμ·μ: std becomes δσ·σ and mean δμ·μ.
    return MultiplicativePerturbation::apply(features, stats.mean, delta_mu, delta_sigma,
                                             options_.relu_clamp);
  }
  const auto mean = as_channel_tensor(stats.mean);
  const auto std = as_channel_tensor(stats.std);
  const auto out = (features - mean) * ((std + as_channel_tensor(delta_sigma)) / std) + mean +
                   as_channel_tensor(delta_mu);
  return options_.relu_clamp ? out.clamp_min(0) : out;
}

AdvBNResult AdvBatchNorm::reuse(const torch::Tensor& features, const AdvBNResult& solution) const {
  torch::NoGradGuard no_grad;
  const auto f = features.detach();
  const FeatureStats stats = feature_stats(f, replicas_);
  const Bounds b = bounds(stats);
  AdvBNResult result;
  result.delta_mu = torch::max(torch::min(solution.delta_mu, b.mu_high), b.mu_low);
  result.delta_sigma = torch::max(torch::min(solution.delta_sigma, b.sigma_high), b.sigma_low);
  result.features = perturb(f, stats, result.delta_mu, result.delta_sigma);
  return result;
}

AdvBNResult AdvBatchNorm::attack(const torch::Tensor& features, const FeatureLoss& loss,
                                 bool evaluate_final_loss, const AdvBNResult* start) const {
  const auto f = features.detach();
  TimedPhase set_up("feature statistics");
  const FeatureStats stats = [&] {
    torch::NoGradGuard no_grad;
    return feature_stats(f, replicas_);
  }();
  const Bounds b = bounds(stats);

  torch::Tensor delta_mu, delta_sigma;
  {
    torch::NoGradGuard no_grad;
    if (start) {
      delta_mu = torch::max(torch::min(start->delta_mu, b.mu_high), b.mu_low);
      delta_sigma = torch::max(torch::min(start->delta_sigma, b.sigma_high), b.sigma_low);
    } else if (options_.random_start) {
      delta_mu = b.mu_low + (b.mu_high - b.mu_low) * torch::rand_like(b.mu_low);
      delta_sigma = b.sigma_low + (b.sigma_high - b.sigma_low) * torch::rand_like(b.sigma_low);
    } else {
      const double identity = options_.kind == PerturbationKind::Multiplicative ? 1.0 : 0.0;
      delta_mu = torch::full_like(stats.mean, identity);
      delta_sigma = torch::full_like(stats.std, identity);
    }
  }
  set_up.end();

  AdvBNResult result;
  for (int step = 0; step < options_.steps; ++step) {
    const TimedPhase pass("pgd pass", step + 1);
    delta_mu.requires_grad_(true);
    delta_sigma.requires_grad_(true);
    const auto value = loss(perturb(f, stats, delta_mu, delta_sigma));
    auto grads = torch::autograd::grad({value}, {delta_mu, delta_sigma});
    result.losses.push_back(value.item<double>());
    torch::NoGradGuard no_grad;
    if (replicas_) {
      // Only the signs are used, so the sum serves as well as the mean of the replicas' losses.
      auto both = torch::cat({grads[0], grads[1]});
      replicas_(both);
      grads = {both.narrow(0, 0, grads[0].numel()), both.narrow(0, grads[0].numel(), grads[1].numel())};
    }
    delta_mu = torch::max(torch::min(delta_mu.detach() + options_.step_size * grads[0].sign(),
                                     b.mu_high),
                          b.mu_low);
    delta_sigma = torch::max(
        torch::min(delta_sigma.detach() + options_.step_size * grads[1].sign(), b.sigma_high),
        b.sigma_low);
  }

  torch::NoGradGuard no_grad;
  const TimedPhase final_features("adversarial features");
  result.delta_mu = delta_mu.detach();
  result.delta_sigma = delta_sigma.detach();
  result.features = perturb(f, stats, result.delta_mu, result.delta_sigma);
  if (evaluate_final_loss) result.losses.push_back(loss(result.features).item<double>());
  return result;
}

}  // namespace advbn

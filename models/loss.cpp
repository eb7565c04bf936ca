#include "models/loss.h"

#include "optim/schedule.h"
#include "tensor/ops.h"

namespace dn::models {

namespace {

// mean over images of 1 - cos(a_i, b_i), each image flattened channel-major.
Tensor one_group(const Tensor& a, const Tensor& b) {
  const int64_t batch = b.size(0);
  Tensor cos = cosine_similarity(reshape(a, {batch, -1}), reshape(b, {batch, -1}), 1, 1e-8);
  return mean(add_scalar(neg(cos), 1.0));
}

}  // namespace

Tensor global_cosine(const std::vector<Tensor>& en, const std::vector<Tensor>& de) {
  DN_CHECK(!en.empty() && en.size() == de.size(), "global_cosine: ", en.size(),
           " encoder groups but ", de.size(), " decoder groups");
  Tensor loss;
  for (size_t g = 0; g < en.size(); ++g) {
    Tensor term = one_group(detach(en[g]), de[g]);
    loss = loss.defined() ? add(loss, term) : term;
  }
  return mul_scalar(loss, 1.0 / double(en.size()));
}

Tensor global_cosine_hm_percent(const std::vector<Tensor>& en, const std::vector<Tensor>& de,
                                double p, double factor) {
  DN_CHECK(!en.empty() && en.size() == de.size(), "global_cosine_hm_percent: ", en.size(),
           " encoder groups but ", de.size(), " decoder groups");
  for (size_t g = 0; g < en.size(); ++g) {
    const Tensor& b = de[g];
    if (!b.requires_grad()) continue;  // evaluation: no gradient to shape
    Tensor easy;
    {
      NoGradGuard guard;
      // point_dist = 1 - cos over channels: [B, h, w] (the reference's [B, 1, h, w])
      Tensor dist = add_scalar(neg(cosine_similarity(en[g], b, 1, 1e-8)), 1.0);
      const int64_t k = optim::hard_mining_k(dist.numel(), p);
      DN_CHECK(k >= 1, "global_cosine_hm_percent: p = ", p, " leaves no hard point");
      const double threshold = kth_largest(dist, k);
      easy = kernel::unsqueeze(kernel::compare_scalar(CompareOp::lt, dist, threshold), 1);  // [B,1,h,w]
    }
    // The hook sees de[g]'s complete gradient and scales the easy points' channels.
    register_hook(b, [easy, factor](const Tensor& grad) {
      return kernel::where(easy, kernel::unary(UnaryOp::mul_scalar, grad, factor), grad);
    });
  }
  return global_cosine(en, de);
}

}  // namespace dn::models

#include "models/train_step.h"

#include <cmath>

#include "models/loss.h"
#include "optim/clip.h"

namespace dn::models {

Trainer::Trainer(Dinomaly& m, const TrainRecipe& r)
    : model(m),
      recipe(r),
      optimizer(m.trainable_parameters(), r.adam),
      schedule(r.lr, r.final_lr, r.iters, r.warmup) {}

StepResult Trainer::step(const Tensor& images, int64_t it, const std::function<void()>& after_backward) {
  model.train();
  return step(model.encode(images), it, after_backward);
}

StepResult Trainer::step(const EncodedBatch& encoded, int64_t it, const std::function<void()>& after_backward) {
  StepResult r;
  r.lr = schedule.lr(it);
  r.p = optim::hard_mining_p(it, recipe.hm_p, recipe.hm_ramp);
  model.train();
  Features f = model.decode(encoded);
  Tensor loss = model.config.loss == LossKind::hard_mining
                    ? global_cosine_hm_percent(f.en, f.de, r.p, recipe.hm_factor)
                    : global_cosine(f.en, f.de);
  f = Features();  // the graph now lives only behind `loss`
  optimizer.zero_grad();
  backward(loss);
  r.loss = loss.item();
  if (after_backward) after_backward();
  if (!std::isfinite(r.loss))
    throw NonFiniteLoss(str("step ", it, ": the loss is ", r.loss));
  r.grad_norm = optim::clip_grad_norm(optimizer.params(), recipe.clip);
  if (!std::isfinite(r.grad_norm))
    throw NonFiniteLoss(str("step ", it, ": the gradient norm is ", r.grad_norm, " (loss ", r.loss, ")"));
  optimizer.step(r.lr);
  return r;
}

}  // namespace dn::models

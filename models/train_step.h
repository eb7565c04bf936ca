// One optimisation step of Dinomaly, as the reference's loop runs it (docs/reference.md §4, §5):
//   lr = schedule(it);  p = min(0.9·it/1000, 0.9)
//   en, de = model(images);  loss = global_cosine_hm_percent(en, de, p, 0.1)
//   zero_grad; backward; clip_grad_norm(trainable, 0.1); StableAdamW step at lr
#pragma once
#include <functional>

#include "models/dinomaly.h"
#include "optim/adam.h"
#include "optim/schedule.h"

namespace dn::models {

struct TrainRecipe {
  double lr = 2e-3, final_lr = 2e-4;
  int64_t iters = 10000, warmup = 100;
  double hm_p = 0.9;        // final hard-mining fraction
  int64_t hm_ramp = 1000;   // steps over which p grows from 0
  double hm_factor = 0.1;   // gradient scale of the easy points
  double clip = 0.1;        // global gradient-norm clip
  optim::AdamOptions adam;  // StableAdamW, AMSGrad, wd 1e-4, eps 1e-10
};

struct NonFiniteLoss : Error {
  using Error::Error;
};

struct StepResult {
  double loss = 0, lr = 0, p = 0, grad_norm = 0;
};

class Trainer {
 public:
  Trainer(Dinomaly& model, const TrainRecipe& recipe);
  // Step `it` (0-based) on one batch. `after_backward`, if given, sees the raw gradients
  // before they are clipped (the parity test reads them there). A loss or gradient norm
  // that is not finite throws NonFiniteLoss BEFORE the optimizer moves any weight.
  StepResult step(const Tensor& images, int64_t it,
                  const std::function<void()>& after_backward = nullptr);
  // The same step from the frozen encoder's outputs (model.encode, or an EncoderCache).
  StepResult step(const EncodedBatch& encoded, int64_t it,
                  const std::function<void()>& after_backward = nullptr);

  Dinomaly& model;
  TrainRecipe recipe;
  optim::Adam optimizer;
  optim::WarmCosineSchedule schedule;
};

}  // namespace dn::models

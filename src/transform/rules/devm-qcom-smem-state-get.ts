import type { Rule } from "../rule.js";

export const devmQcomSmemStateGet: Rule = {
  id: "devm-qcom-smem-state-get",
  kind: "compat",
  feature: "devm_qcom_smem_state_get",
  summary: "devm_qcom_smem_state_get() is qcom_smem_state_get() with the put registered as a devm action",
  compat: {
    header: "linux/soc/qcom/smem_state.h",
    definition: `#include <linux/device.h>
#include <linux/err.h>
#define devm_qcom_smem_state_get LINUX_BACKPORT(devm_qcom_smem_state_get)
static inline void backport_qcom_smem_state_release(void *state)
{
	qcom_smem_state_put(state);
}

static inline struct qcom_smem_state *devm_qcom_smem_state_get(struct device *dev, const char *con_id,
								 unsigned *bit)
{
	struct qcom_smem_state *state = qcom_smem_state_get(dev, con_id, bit);
	int ret;

	if (IS_ERR(state))
		return state;
	ret = devm_add_action_or_reset(dev, backport_qcom_smem_state_release, state);
	return ret ? ERR_PTR(ret) : state;
}`,
  },
};

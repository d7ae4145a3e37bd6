// SPDX-License-Identifier: GPL-2.0
/*
 * What the modem saw and sent, for tests to compare with the host's own
 * counters: /sys/bus/platform/devices/mhi_sim/<attribute>.
 */
#include <linux/device.h>

#include "mhi_sim.h"

#define SIM_STAT_ATTR(field)						\
static ssize_t field##_show(struct device *dev,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	struct sim_modem *sim = dev_get_drvdata(dev);			\
	u64 value;							\
									\
	spin_lock_bh(&sim->stats_lock);					\
	value = sim->stats.field;					\
	spin_unlock_bh(&sim->stats_lock);				\
	return sprintf(buf, "%llu\n", value);				\
}									\
static DEVICE_ATTR_RO(field)

SIM_STAT_ATTR(ip_ul_packets);
SIM_STAT_ATTR(ip_ul_bytes);
SIM_STAT_ATTR(ip_dl_packets);
SIM_STAT_ATTR(ip_dl_bytes);
SIM_STAT_ATTR(ip_dropped);
SIM_STAT_ATTR(at_commands);
SIM_STAT_ATTR(mbim_messages);

static ssize_t state_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct sim_modem *sim = dev_get_drvdata(dev);
	u32 status = sim_reg(sim, MHISTATUS);

	return sprintf(buf, "%s %s\n",
		       mhi_state_str(FIELD_GET(MHISTATUS_MHISTATE_MASK, status)),
		       sim->mission_mode ? "mission-mode" : "no-mission-mode");
}
static DEVICE_ATTR_RO(state);

static struct attribute *sim_attrs[] = {
	&dev_attr_ip_ul_packets.attr,
	&dev_attr_ip_ul_bytes.attr,
	&dev_attr_ip_dl_packets.attr,
	&dev_attr_ip_dl_bytes.attr,
	&dev_attr_ip_dropped.attr,
	&dev_attr_at_commands.attr,
	&dev_attr_mbim_messages.attr,
	&dev_attr_state.attr,
	NULL,
};

static const struct attribute_group sim_group = {
	.attrs = sim_attrs,
};

const struct attribute_group *sim_groups[] = {
	&sim_group,
	NULL,
};

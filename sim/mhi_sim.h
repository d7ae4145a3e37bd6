/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A software MHI modem: the device side of the MHI protocol, played in memory
 * behind an mhi_controller's register callbacks.
 */
#ifndef _MHI_SIM_H
#define _MHI_SIM_H

#include <linux/bitops.h>
#include <linux/mhi.h>
#include <linux/platform_device.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

/* The register map of MHI and BHI, the context and ring element layouts. */
#include "drivers/bus/mhi/common.h"

#define SIM_MAX_CHAN		128
#define SIM_NR_EV_RINGS		6
/* One vector for BHI/state changes, then one per event ring. */
#define SIM_NR_IRQS		(1 + SIM_NR_EV_RINGS)

/* Where the doorbell and BHI blocks sit in the register space. */
#define SIM_BHI_OFF		0x100
#define SIM_CHDB_OFF		0x400
#define SIM_ERDB_OFF		0x800
#define SIM_REG_LEN		0x1000

/* Downlink packets waiting for host buffers, per channel. */
#define SIM_DL_BACKLOG		1024

enum sim_pending {
	SIM_PEND_RESET,
	SIM_PEND_M0,
	SIM_PEND_CMD,
	SIM_PEND_ER,
};

struct sim_chan {
	u64 rp;			/* device read pointer in the transfer ring */
	bool running;
	bool burst;		/* doorbells come once until a DB_MODE event */
	bool db_mode_sent;
	struct sk_buff_head dl;	/* data for the host on a DL channel */
};

struct sim_stats {
	u64 ip_ul_packets;
	u64 ip_ul_bytes;
	u64 ip_dl_packets;
	u64 ip_dl_bytes;
	u64 ip_dropped;
	u64 at_commands;
	u64 mbim_messages;
};

struct sim_modem {
	struct device *dev;
	struct mhi_controller *mhi;
	int irq_base;
	int irqs[SIM_NR_IRQS];
	int power_up;		/* what mhi_sync_power_up() returned */

	spinlock_t reg_lock;	/* regs[] and the pending work below */
	u32 regs[SIM_REG_LEN / sizeof(u32)];
	unsigned long pending;
	DECLARE_BITMAP(chan_db, SIM_MAX_CHAN);

	struct workqueue_struct *wq;
	struct work_struct work;

	/* Owned by the worker. */
	bool active;		/* host memory may be touched */
	bool mission_mode;
	u64 cmd_rp;
	DECLARE_BITMAP(blocked, SIM_MAX_CHAN);
	struct sim_chan chan[SIM_MAX_CHAN];
	char at_line[64];
	unsigned int at_len;
	unsigned int ip_seen;

	spinlock_t stats_lock;
	struct sim_stats stats;
};

/* mmio.c */
int sim_read_reg(struct mhi_controller *mhi, void __iomem *addr, u32 *out);
void sim_write_reg(struct mhi_controller *mhi, void __iomem *addr, u32 val);
void sim_regs_init(struct sim_modem *sim);
u32 sim_reg(struct sim_modem *sim, u32 offset);
u64 sim_reg64(struct sim_modem *sim, u32 low);
void sim_set_state(struct sim_modem *sim, enum mhi_state state);

/* ring.c */
void *sim_host_mem(u64 addr);
struct mhi_event_ctxt *sim_er_ctxt(struct sim_modem *sim, u32 er);
struct mhi_chan_ctxt *sim_chan_ctxt(struct sim_modem *sim, u32 chan);
struct mhi_cmd_ctxt *sim_cmd_ctxt(struct sim_modem *sim);
u64 sim_ring_next(u64 ptr, u64 base, u64 len);
bool sim_er_room(struct sim_modem *sim, u32 er);
int sim_send_event(struct sim_modem *sim, u32 er, __le64 ptr, __le32 dw0,
		   __le32 dw1);
void sim_fire(struct sim_modem *sim, u32 vector);
void sim_fire_er(struct sim_modem *sim, u32 er);

/* chan.c */
void sim_work(struct work_struct *work);
void sim_chan_purge(struct sim_modem *sim);
int sim_queue_dl(struct sim_modem *sim, u32 chan, const void *data,
		 size_t len);

/* services.c */
void sim_serve_ul(struct sim_modem *sim, u32 chan, const u8 *data, size_t len);

/* main.c */
extern unsigned int sim_drop_every;
extern const struct attribute_group *sim_groups[];

#endif

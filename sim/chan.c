// SPDX-License-Identifier: GPL-2.0
/*
 * The modem's worker: state changes the host asked for, the command ring, and
 * the transfer rings of the channels whose doorbells rang. One ordered worker
 * owns all device-side ring state, so nothing here races with itself.
 */
#include <linux/bitfield.h>

#include "mhi_sim.h"

static void sim_reset(struct sim_modem *sim)
{
	unsigned long flags;
	u32 ctrl;

	sim->active = false;
	sim->mission_mode = false;
	sim_chan_purge(sim);
	bitmap_zero(sim->blocked, SIM_MAX_CHAN);

	spin_lock_irqsave(&sim->reg_lock, flags);
	bitmap_zero(sim->chan_db, SIM_MAX_CHAN);
	clear_bit(SIM_PEND_CMD, &sim->pending);
	clear_bit(SIM_PEND_ER, &sim->pending);
	ctrl = sim_reg(sim, MHICTRL);
	ctrl &= ~(MHICTRL_RESET_MASK | MHICTRL_MHISTATE_MASK);
	sim->regs[MHICTRL / sizeof(u32)] = ctrl;
	sim->regs[(SIM_BHI_OFF + BHI_INTVEC) / sizeof(u32)] = 0;
	spin_unlock_irqrestore(&sim->reg_lock, flags);
	sim_set_state(sim, MHI_STATE_READY);
	dev_dbg(sim->dev, "reset: READY\n");
}

/* M0 from READY: the host has programmed the context bases; go to mission mode. */
static void sim_enter_m0(struct sim_modem *sim)
{
	struct mhi_cmd_ctxt *cmd = sim_cmd_ctxt(sim);

	sim->active = true;
	sim->cmd_rp = le64_to_cpu(cmd->rp);
	sim_set_state(sim, MHI_STATE_M0);
	sim_send_event(sim, 0, 0, MHI_SC_EV_DWORD0(MHI_STATE_M0),
		       MHI_SC_EV_DWORD1(MHI_PKT_TYPE_STATE_CHANGE_EVENT));
	if (!sim->mission_mode) {
		sim->mission_mode = true;
		sim_send_event(sim, 0, 0, MHI_EE_EV_DWORD0(MHI_EE_AMSS),
			       MHI_EE_EV_DWORD1(MHI_PKT_TYPE_EE_EVENT));
	}
	sim_fire_er(sim, 0);
	sim_fire(sim, 0);
	dev_dbg(sim->dev, "M0, mission mode\n");
}

static void sim_chan_set_state(struct sim_modem *sim, u32 chan,
			       enum mhi_ch_state state)
{
	struct mhi_chan_ctxt *ctxt = sim_chan_ctxt(sim, chan);
	u32 cfg = le32_to_cpu(ctxt->chcfg) & ~CHAN_CTX_CHSTATE_MASK;

	ctxt->chcfg = cpu_to_le32(cfg | FIELD_PREP(CHAN_CTX_CHSTATE_MASK, state));
}

static u32 sim_command(struct sim_modem *sim, struct mhi_ring_element *tre)
{
	u32 chan = MHI_TRE_GET_CMD_CHID(tre);
	struct sim_chan *ch;

	if (chan >= SIM_MAX_CHAN)
		return MHI_EV_CC_UNDEFINED_ERR;
	ch = &sim->chan[chan];
	switch (MHI_TRE_GET_CMD_TYPE(tre)) {
	case MHI_CMD_START_CHAN:
		ch->rp = le64_to_cpu(sim_chan_ctxt(sim, chan)->rp);
		ch->running = true;
		ch->db_mode_sent = false;
		sim_chan_set_state(sim, chan, MHI_CH_STATE_RUNNING);
		return MHI_EV_CC_SUCCESS;
	case MHI_CMD_STOP_CHAN:
		ch->running = false;
		sim_chan_set_state(sim, chan, MHI_CH_STATE_STOP);
		return MHI_EV_CC_SUCCESS;
	case MHI_CMD_RESET_CHAN:
		ch->running = false;
		skb_queue_purge(&ch->dl);
		clear_bit(chan, sim->blocked);
		ch->rp = le64_to_cpu(sim_chan_ctxt(sim, chan)->rbase);
		sim_chan_set_state(sim, chan, MHI_CH_STATE_DISABLED);
		return MHI_EV_CC_SUCCESS;
	case MHI_CMD_NOP:
		return MHI_EV_CC_SUCCESS;
	default:
		return MHI_EV_CC_UNDEFINED_ERR;
	}
}

static void sim_process_cmds(struct sim_modem *sim)
{
	struct mhi_cmd_ctxt *ctxt = sim_cmd_ctxt(sim);
	u64 base = le64_to_cpu(ctxt->rbase);
	u64 len = le64_to_cpu(ctxt->rlen);
	u64 wp = le64_to_cpu(READ_ONCE(ctxt->wp));
	bool done = false;

	while (sim->cmd_rp != wp) {
		struct mhi_ring_element *tre = sim_host_mem(sim->cmd_rp);
		u32 code = sim_command(sim, tre);

		if (sim_send_event(sim, 0, MHI_CC_EV_PTR(sim->cmd_rp),
				   MHI_CC_EV_DWORD0(code),
				   MHI_CC_EV_DWORD1(MHI_PKT_TYPE_CMD_COMPLETION_EVENT)))
			break;
		sim->cmd_rp = sim_ring_next(sim->cmd_rp, base, len);
		ctxt->rp = cpu_to_le64(sim->cmd_rp);
		done = true;
	}
	if (done)
		sim_fire_er(sim, 0);
}

static int sim_complete(struct sim_modem *sim, u32 chan, u32 er, u64 tre,
			u32 code, u32 len)
{
	return sim_send_event(sim, er, MHI_TRE_EV_PTR(tre),
			      MHI_TRE_EV_DWORD0(code, len),
			      MHI_TRE_EV_DWORD1(chan, MHI_PKT_TYPE_TX_EVENT));
}

/* A burst-mode channel rings once; this event asks the host to ring again. */
static void sim_db_mode(struct sim_modem *sim, u32 chan, u32 er)
{
	struct sim_chan *ch = &sim->chan[chan];

	if (!ch->burst || ch->db_mode_sent)
		return;
	if (!sim_complete(sim, chan, er, ch->rp, MHI_EV_CC_DB_MODE, 0))
		ch->db_mode_sent = true;
}

/* Whether the host has queued elements the device has not taken yet. */
static bool sim_chan_pending(struct sim_chan *ch, struct mhi_chan_ctxt *ctxt)
{
	return ch->rp != le64_to_cpu(READ_ONCE(ctxt->wp));
}

/* Moves past one element: the device's read pointer and the context's. */
static void sim_chan_advance(struct sim_chan *ch, struct mhi_chan_ctxt *ctxt)
{
	ch->rp = sim_ring_next(ch->rp, le64_to_cpu(ctxt->rbase),
			       le64_to_cpu(ctxt->rlen));
	ctxt->rp = cpu_to_le64(ch->rp);
	ch->db_mode_sent = false;
}

/* Uplink: take every buffer the host queued, hand it to the service, complete it. */
static bool sim_process_ul(struct sim_modem *sim, u32 chan)
{
	struct mhi_chan_ctxt *ctxt = sim_chan_ctxt(sim, chan);
	struct sim_chan *ch = &sim->chan[chan];
	u32 er = le32_to_cpu(ctxt->erindex);
	bool done = false;

	while (sim_chan_pending(ch, ctxt)) {
		struct mhi_ring_element *tre = sim_host_mem(ch->rp);
		u32 n = MHI_TRE_DATA_GET_LEN(tre);

		/* The host may free the buffer once it sees the completion. */
		if (!sim_er_room(sim, er)) {
			set_bit(chan, sim->blocked);
			break;
		}
		sim_serve_ul(sim, chan, sim_host_mem(MHI_TRE_DATA_GET_PTR(tre)), n);
		sim_complete(sim, chan, er, ch->rp, MHI_EV_CC_EOT, n);
		sim_chan_advance(ch, ctxt);
		done = true;
	}
	if (!test_bit(chan, sim->blocked))
		sim_db_mode(sim, chan, er);
	return done;
}

/* Downlink: fill the buffers the host queued with what waits for it. */
static bool sim_process_dl(struct sim_modem *sim, u32 chan)
{
	struct mhi_chan_ctxt *ctxt = sim_chan_ctxt(sim, chan);
	struct sim_chan *ch = &sim->chan[chan];
	u32 er = le32_to_cpu(ctxt->erindex);
	bool done = false;
	struct sk_buff *skb;

	while ((skb = skb_peek(&ch->dl))) {
		struct mhi_ring_element *tre;
		u32 room, n, code;

		if (!sim_chan_pending(ch, ctxt)) {
			sim_db_mode(sim, chan, er);
			break;
		}
		tre = sim_host_mem(ch->rp);
		room = MHI_TRE_DATA_GET_LEN(tre);
		n = min_t(u32, skb->len, room);
		code = skb->len > room ? MHI_EV_CC_OVERFLOW : MHI_EV_CC_EOT;
		if (!sim_er_room(sim, er)) {
			set_bit(chan, sim->blocked);
			break;
		}
		memcpy(sim_host_mem(MHI_TRE_DATA_GET_PTR(tre)), skb->data, n);
		sim_complete(sim, chan, er, ch->rp, code, n);
		sim_chan_advance(ch, ctxt);
		skb_unlink(skb, &ch->dl);
		kfree_skb(skb);
		done = true;
	}
	return done;
}

static void sim_process_chan(struct sim_modem *sim, u32 chan)
{
	struct sim_chan *ch = &sim->chan[chan];
	bool done;

	if (!ch->running)
		return;
	clear_bit(chan, sim->blocked);
	/* Even channels carry host-to-device data, odd ones device-to-host. */
	done = chan % 2 ? sim_process_dl(sim, chan) : sim_process_ul(sim, chan);
	if (done || ch->db_mode_sent)
		sim_fire_er(sim, le32_to_cpu(sim_chan_ctxt(sim, chan)->erindex));
}

int sim_queue_dl(struct sim_modem *sim, u32 chan, const void *data, size_t len)
{
	struct sim_chan *ch = &sim->chan[chan];
	struct sk_buff *skb;

	if (!ch->running || skb_queue_len(&ch->dl) >= SIM_DL_BACKLOG)
		return -ENOBUFS;
	skb = alloc_skb(len, GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	skb_put_data(skb, data, len);
	skb_queue_tail(&ch->dl, skb);
	set_bit(chan, sim->chan_db);
	return 0;
}

void sim_chan_purge(struct sim_modem *sim)
{
	int i;

	for (i = 0; i < SIM_MAX_CHAN; i++) {
		sim->chan[i].running = false;
		skb_queue_purge(&sim->chan[i].dl);
	}
}

void sim_work(struct work_struct *work)
{
	struct sim_modem *sim = container_of(work, struct sim_modem, work);
	unsigned long flags;
	u32 chan;

	if (test_and_clear_bit(SIM_PEND_RESET, &sim->pending))
		sim_reset(sim);
	if (test_and_clear_bit(SIM_PEND_M0, &sim->pending))
		sim_enter_m0(sim);
	if (!sim->active)
		return;
	if (test_and_clear_bit(SIM_PEND_CMD, &sim->pending))
		sim_process_cmds(sim);
	/* Room in an event ring: retry what a full ring held back. */
	if (test_and_clear_bit(SIM_PEND_ER, &sim->pending)) {
		spin_lock_irqsave(&sim->reg_lock, flags);
		bitmap_or(sim->chan_db, sim->chan_db, sim->blocked, SIM_MAX_CHAN);
		spin_unlock_irqrestore(&sim->reg_lock, flags);
	}
	for_each_set_bit(chan, sim->chan_db, SIM_MAX_CHAN) {
		clear_bit(chan, sim->chan_db);
		sim_process_chan(sim, chan);
	}
}

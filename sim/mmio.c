// SPDX-License-Identifier: GPL-2.0
/*
 * The modem's register space: the host reads and writes it through the
 * controller's read_reg/write_reg callbacks. Writes that ask the device to act
 * (reset, M0, doorbells) are noted here and carried out by the worker, since
 * the host writes with spinlocks held.
 */
#include <linux/bitfield.h>

#include "mhi_sim.h"

static u32 sim_offset(struct sim_modem *sim, void __iomem *addr)
{
	return (u8 __force *)addr - (u8 *)sim->regs;
}

u32 sim_reg(struct sim_modem *sim, u32 offset)
{
	return READ_ONCE(sim->regs[offset / sizeof(u32)]);
}

u64 sim_reg64(struct sim_modem *sim, u32 low)
{
	return ((u64)sim_reg(sim, low + 4) << 32) | sim_reg(sim, low);
}

static void sim_reg_set(struct sim_modem *sim, u32 offset, u32 val)
{
	WRITE_ONCE(sim->regs[offset / sizeof(u32)], val);
}

void sim_set_state(struct sim_modem *sim, enum mhi_state state)
{
	unsigned long flags;
	u32 status;

	spin_lock_irqsave(&sim->reg_lock, flags);
	status = sim_reg(sim, MHISTATUS) & ~MHISTATUS_MHISTATE_MASK;
	status |= FIELD_PREP(MHISTATUS_MHISTATE_MASK, state);
	if (state == MHI_STATE_READY || state == MHI_STATE_M0)
		status |= MHISTATUS_READY_MASK;
	sim_reg_set(sim, MHISTATUS, status);
	spin_unlock_irqrestore(&sim->reg_lock, flags);
}

/* Power-on values: a modem already in mission mode, waiting in READY. */
void sim_regs_init(struct sim_modem *sim)
{
	memset(sim->regs, 0, sizeof(sim->regs));
	sim_reg_set(sim, MHIREGLEN, SIM_REG_LEN);
	sim_reg_set(sim, MHIVER, 0x01000000);
	sim_reg_set(sim, MHICFG,
		    FIELD_PREP(MHICFG_NER_MASK, SIM_NR_EV_RINGS) |
		    FIELD_PREP(MHICFG_NCH_MASK, SIM_MAX_CHAN - 1));
	sim_reg_set(sim, CHDBOFF, SIM_CHDB_OFF);
	sim_reg_set(sim, ERDBOFF, SIM_ERDB_OFF);
	sim_reg_set(sim, BHIOFF, SIM_BHI_OFF);
	sim_reg_set(sim, SIM_BHI_OFF + BHI_EXECENV, MHI_EE_AMSS);
	sim_reg_set(sim, SIM_BHI_OFF + BHI_STATUS,
		    FIELD_PREP(BHI_STATUS_MASK, BHI_STATUS_SUCCESS));
	sim_set_state(sim, MHI_STATE_READY);
}

int sim_read_reg(struct mhi_controller *mhi, void __iomem *addr, u32 *out)
{
	struct sim_modem *sim = dev_get_drvdata(mhi->cntrl_dev);
	u32 offset = sim_offset(sim, addr);

	if (offset >= SIM_REG_LEN || offset % sizeof(u32))
		return -EIO;
	*out = sim_reg(sim, offset);
	return 0;
}

/* What a write asks of the device; the caller holds reg_lock. */
static bool sim_note_write(struct sim_modem *sim, u32 offset, u32 val)
{
	if (offset == MHICTRL) {
		if (val & MHICTRL_RESET_MASK)
			return !test_and_set_bit(SIM_PEND_RESET, &sim->pending);
		if (FIELD_GET(MHICTRL_MHISTATE_MASK, val) == MHI_STATE_M0)
			return !test_and_set_bit(SIM_PEND_M0, &sim->pending);
		return false;
	}
	if (offset == CRDB_LOWER)
		return !test_and_set_bit(SIM_PEND_CMD, &sim->pending);
	if (offset >= SIM_CHDB_OFF && offset < SIM_CHDB_OFF + 8 * SIM_MAX_CHAN &&
	    !(offset % 8)) {
		u32 chan = (offset - SIM_CHDB_OFF) / 8;

		/* The last channel doorbell is the host's wake vote. */
		if (chan == SIM_MAX_CHAN - 1)
			return false;
		return !test_and_set_bit(chan, sim->chan_db);
	}
	if (offset >= SIM_ERDB_OFF && offset < SIM_ERDB_OFF + 8 * SIM_NR_EV_RINGS)
		return !test_and_set_bit(SIM_PEND_ER, &sim->pending);
	return false;
}

void sim_write_reg(struct mhi_controller *mhi, void __iomem *addr, u32 val)
{
	struct sim_modem *sim = dev_get_drvdata(mhi->cntrl_dev);
	u32 offset = sim_offset(sim, addr);
	unsigned long flags;
	bool kick;

	if (offset >= SIM_REG_LEN || offset % sizeof(u32)) {
		dev_warn_ratelimited(sim->dev, "write outside the registers: 0x%x\n",
				     offset);
		return;
	}
	/* Read-only identification and status registers. */
	if (offset == MHISTATUS || offset == MHIREGLEN || offset == CHDBOFF ||
	    offset == ERDBOFF || offset == BHIOFF ||
	    offset == SIM_BHI_OFF + BHI_EXECENV)
		return;

	spin_lock_irqsave(&sim->reg_lock, flags);
	sim_reg_set(sim, offset, val);
	kick = sim_note_write(sim, offset, val);
	spin_unlock_irqrestore(&sim->reg_lock, flags);
	if (kick)
		queue_work(sim->wq, &sim->work);
}

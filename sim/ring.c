// SPDX-License-Identifier: GPL-2.0
/*
 * The modem's view of host memory: context arrays, rings and buffers are
 * reached by their bus addresses, and events are written into the host's
 * event rings before the ring's interrupt is raised.
 */
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/irq.h>
#include <linux/irqdesc.h>

#include "mhi_sim.h"

/*
 * A device reads host memory by bus address. The controller's device has no
 * IOMMU and no DMA offset, so a bus address is a physical address in lowmem.
 */
void *sim_host_mem(u64 addr)
{
	return phys_to_virt((phys_addr_t)addr);
}

struct mhi_event_ctxt *sim_er_ctxt(struct sim_modem *sim, u32 er)
{
	struct mhi_event_ctxt *base = sim_host_mem(sim_reg64(sim, ECABAP_LOWER));

	return base + er;
}

struct mhi_chan_ctxt *sim_chan_ctxt(struct sim_modem *sim, u32 chan)
{
	struct mhi_chan_ctxt *base = sim_host_mem(sim_reg64(sim, CCABAP_LOWER));

	return base + chan;
}

struct mhi_cmd_ctxt *sim_cmd_ctxt(struct sim_modem *sim)
{
	return sim_host_mem(sim_reg64(sim, CRCBAP_LOWER));
}

u64 sim_ring_next(u64 ptr, u64 base, u64 len)
{
	ptr += sizeof(struct mhi_ring_element);
	return ptr >= base + len ? base : ptr;
}

/*
 * The device owns an event ring's read pointer in its context: it writes the
 * element there and moves it on; the host hands elements back by moving the
 * write pointer. The element at the write pointer is never written.
 */
bool sim_er_room(struct sim_modem *sim, u32 er)
{
	struct mhi_event_ctxt *ctxt = sim_er_ctxt(sim, er);

	return ctxt->rp != READ_ONCE(ctxt->wp);
}

int sim_send_event(struct sim_modem *sim, u32 er, __le64 ptr, __le32 dw0,
		   __le32 dw1)
{
	struct mhi_event_ctxt *ctxt = sim_er_ctxt(sim, er);
	u64 base = le64_to_cpu(ctxt->rbase);
	u64 len = le64_to_cpu(ctxt->rlen);
	u64 rp = le64_to_cpu(ctxt->rp);
	struct mhi_ring_element *el;

	if (!sim_er_room(sim, er))
		return -ENOSPC;
	el = sim_host_mem(rp);
	el->ptr = ptr;
	el->dword[0] = dw0;
	el->dword[1] = dw1;
	/* The element must be visible before the pointer that publishes it. */
	dma_wmb();
	ctxt->rp = cpu_to_le64(sim_ring_next(rp, base, len));
	return 0;
}

/* Raise one of the controller's interrupts, as the modem's MSI would. */
void sim_fire(struct sim_modem *sim, u32 vector)
{
	unsigned long flags;

	if (vector >= SIM_NR_IRQS)
		return;
	local_irq_save(flags);
	generic_handle_irq(sim->irqs[vector]);
	local_irq_restore(flags);
}

void sim_fire_er(struct sim_modem *sim, u32 er)
{
	sim_fire(sim, le32_to_cpu(sim_er_ctxt(sim, er)->msivec));
}

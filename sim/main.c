// SPDX-License-Identifier: GPL-2.0
/*
 * A software MHI modem for testing MHI host stacks: it registers an MHI
 * controller whose registers, interrupts and device side live in this module,
 * powers it up to mission mode and serves its channels (see README.md).
 */
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/module.h>
#include <linux/version.h>

#include "mhi_sim.h"

#define SIM_NAME "mhi_sim"

unsigned int sim_drop_every;
module_param_named(drop_every, sim_drop_every, uint, 0644);
MODULE_PARM_DESC(drop_every, "lose every Nth uplink IP packet (0: none)");

#define SIM_CHAN(nr, label, elements, ring, direction, db)		\
	{								\
		.num = nr, .name = label, .num_elements = elements,	\
		.event_ring = ring, .dir = direction,			\
		.ee_mask = BIT(MHI_EE_AMSS), .doorbell = db,		\
		.doorbell_mode_switch = (db) == MHI_DB_BRST_ENABLE,	\
	}
#define SIM_UL(nr, label, elements, ring) \
	SIM_CHAN(nr, label, elements, ring, DMA_TO_DEVICE, MHI_DB_BRST_DISABLE)
#define SIM_DL(nr, label, elements, ring) \
	SIM_CHAN(nr, label, elements, ring, DMA_FROM_DEVICE, MHI_DB_BRST_DISABLE)
#define SIM_HW_UL(nr, label, elements, ring) \
	SIM_CHAN(nr, label, elements, ring, DMA_TO_DEVICE, MHI_DB_BRST_ENABLE)
#define SIM_HW_DL(nr, label, elements, ring) \
	SIM_CHAN(nr, label, elements, ring, DMA_FROM_DEVICE, MHI_DB_BRST_ENABLE)

/*
 * The channels mhi_pci_generic gives the SDX55 (Qualcomm's modem_qcom_v1 table)
 * and the DUN pair the Foxconn SDX55 table adds.
 */
static const struct mhi_channel_config sim_channels[] = {
	SIM_UL(4, "DIAG", 16, 1),
	SIM_DL(5, "DIAG", 16, 1),
	SIM_UL(12, "MBIM", 4, 0),
	SIM_DL(13, "MBIM", 4, 0),
	SIM_UL(14, "QMI", 4, 0),
	SIM_DL(15, "QMI", 4, 0),
	SIM_UL(20, "IPCR", 8, 0),
	SIM_DL(21, "IPCR", 8, 0),
	SIM_UL(32, "DUN", 32, 0),
	SIM_DL(33, "DUN", 32, 0),
	SIM_UL(46, "IP_SW0", 64, 2),
	SIM_DL(47, "IP_SW0", 64, 3),
	SIM_HW_UL(100, "IP_HW0", 128, 4),
	SIM_HW_DL(101, "IP_HW0", 128, 5),
};

#define SIM_EVENT(elements, vector, type, moderation, hw, chan)		\
	{								\
		.num_elements = elements, .irq = vector,		\
		.irq_moderation_ms = moderation, .priority = 1,	\
		.mode = MHI_DB_BRST_DISABLE, .data_type = type,		\
		.hardware_event = hw, .channel = chan,			\
	}

static struct mhi_event_config sim_events[SIM_NR_EV_RINGS] = {
	SIM_EVENT(64, 1, MHI_ER_CTRL, 0, false, 0),
	SIM_EVENT(128, 2, MHI_ER_DATA, 5, false, 0),
	SIM_EVENT(64, 3, MHI_ER_DATA, 0, false, 0),
	SIM_EVENT(64, 4, MHI_ER_DATA, 0, false, 0),
	SIM_EVENT(1024, 5, MHI_ER_DATA, 1, true, 100),
	SIM_EVENT(2048, 6, MHI_ER_DATA, 1, true, 101),
};

static const struct mhi_controller_config sim_config = {
	.max_channels = SIM_MAX_CHAN,
	.timeout_ms = 8000,
	.num_channels = ARRAY_SIZE(sim_channels),
	.ch_cfg = sim_channels,
	.num_events = ARRAY_SIZE(sim_events),
	.event_cfg = sim_events,
};

static void sim_status_cb(struct mhi_controller *mhi, enum mhi_callback cb)
{
	dev_dbg(mhi->cntrl_dev, "status callback %d\n", cb);
}

static int sim_runtime_get(struct mhi_controller *mhi)
{
	return 0;
}

static void sim_runtime_put(struct mhi_controller *mhi)
{
}

/*
 * Interrupts no hardware raises: the modem fires them from its worker. They
 * are owned by no module, or the host's requests would pin this one.
 */
static int sim_irqs_alloc(struct sim_modem *sim)
{
	int i;

	sim->irq_base = __irq_alloc_descs(-1, 1, SIM_NR_IRQS, NUMA_NO_NODE, NULL,
					  NULL);
	if (sim->irq_base < 0)
		return sim->irq_base;
	for (i = 0; i < SIM_NR_IRQS; i++) {
		sim->irqs[i] = sim->irq_base + i;
		irq_set_chip_and_handler(sim->irqs[i], &dummy_irq_chip,
					 handle_simple_irq);
		irq_clear_status_flags(sim->irqs[i], IRQ_NOREQUEST | IRQ_NOPROBE);
	}
	return 0;
}

static void sim_irqs_free(struct sim_modem *sim)
{
	irq_free_descs(sim->irq_base, SIM_NR_IRQS);
}

static int sim_controller_init(struct sim_modem *sim)
{
	struct mhi_controller *mhi = mhi_alloc_controller();
	int i;

	if (!mhi)
		return -ENOMEM;
	mhi->cntrl_dev = sim->dev;
	mhi->regs = (void __iomem __force *)sim->regs;
	mhi->reg_len = SIM_REG_LEN;
	mhi->irq = sim->irqs;
	mhi->nr_irqs = SIM_NR_IRQS;
	mhi->iova_start = 0;
	mhi->iova_stop = DMA_BIT_MASK(32);
	mhi->read_reg = sim_read_reg;
	mhi->write_reg = sim_write_reg;
	mhi->status_cb = sim_status_cb;
	mhi->runtime_get = sim_runtime_get;
	mhi->runtime_put = sim_runtime_put;
	mhi->name = SIM_NAME;
	sim->mhi = mhi;
	for (i = 0; i < ARRAY_SIZE(sim_channels); i++)
		sim->chan[sim_channels[i].num].burst =
			sim_channels[i].doorbell == MHI_DB_BRST_ENABLE;
	return 0;
}

static int sim_power_up(struct sim_modem *sim)
{
	int ret;

	ret = mhi_register_controller(sim->mhi, &sim_config);
	if (ret)
		return ret;
	ret = mhi_prepare_for_power_up(sim->mhi);
	if (ret)
		goto unregister;
	ret = mhi_sync_power_up(sim->mhi);
	if (ret)
		goto unprepare;
	return 0;

unprepare:
	mhi_unprepare_after_power_down(sim->mhi);
unregister:
	mhi_unregister_controller(sim->mhi);
	return ret;
}

static void sim_teardown(struct sim_modem *sim)
{
	destroy_workqueue(sim->wq);
	sim_chan_purge(sim);
	mhi_free_controller(sim->mhi);
	sim_irqs_free(sim);
}

static int sim_probe(struct platform_device *pdev)
{
	struct sim_modem *sim;
	int i, ret;

	sim = devm_kzalloc(&pdev->dev, sizeof(*sim), GFP_KERNEL);
	if (!sim)
		return -ENOMEM;
	sim->dev = &pdev->dev;
	spin_lock_init(&sim->reg_lock);
	spin_lock_init(&sim->stats_lock);
	for (i = 0; i < SIM_MAX_CHAN; i++)
		skb_queue_head_init(&sim->chan[i].dl);
	sim_regs_init(sim);
	platform_set_drvdata(pdev, sim);

	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(32));
	if (ret)
		return ret;
	ret = sim_irqs_alloc(sim);
	if (ret)
		return ret;
	sim->wq = alloc_ordered_workqueue(SIM_NAME, 0);
	if (!sim->wq) {
		sim_irqs_free(sim);
		return -ENOMEM;
	}
	INIT_WORK(&sim->work, sim_work);
	ret = sim_controller_init(sim);
	if (ret) {
		destroy_workqueue(sim->wq);
		sim_irqs_free(sim);
		return ret;
	}
	sim->power_up = sim_power_up(sim);
	if (sim->power_up) {
		dev_err(&pdev->dev, "power up failed: %d\n", sim->power_up);
		ret = sim->power_up;
		sim_teardown(sim);
		return ret;
	}
	dev_info(&pdev->dev, "modem in mission mode\n");
	return 0;
}

static void sim_remove_modem(struct platform_device *pdev)
{
	struct sim_modem *sim = platform_get_drvdata(pdev);

	mhi_power_down(sim->mhi, true);
	mhi_unprepare_after_power_down(sim->mhi);
	mhi_unregister_controller(sim->mhi);
	sim_teardown(sim);
}

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
static void sim_remove(struct platform_device *pdev)
{
	sim_remove_modem(pdev);
}
#else
static int sim_remove(struct platform_device *pdev)
{
	sim_remove_modem(pdev);
	return 0;
}
#endif

static struct platform_driver sim_driver = {
	.probe = sim_probe,
	.remove = sim_remove,
	.driver = {
		.name = SIM_NAME,
		.dev_groups = sim_groups,
	},
};

static struct platform_device *sim_pdev;

static int __init sim_init(void)
{
	struct platform_device_info info = {
		.name = SIM_NAME,
		.id = PLATFORM_DEVID_NONE,
		.dma_mask = DMA_BIT_MASK(32),
	};
	int ret;

	ret = platform_driver_register(&sim_driver);
	if (ret)
		return ret;
	sim_pdev = platform_device_register_full(&info);
	if (IS_ERR(sim_pdev)) {
		platform_driver_unregister(&sim_driver);
		return PTR_ERR(sim_pdev);
	}
	return 0;
}

static void __exit sim_exit(void)
{
	platform_device_unregister(sim_pdev);
	platform_driver_unregister(&sim_driver);
}

module_init(sim_init);
module_exit(sim_exit);

MODULE_DESCRIPTION("Software MHI modem for testing MHI host stacks");
MODULE_LICENSE("GPL");

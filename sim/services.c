// SPDX-License-Identifier: GPL-2.0
/*
 * What stands behind the modem's channels: the network on the IP channels
 * (it answers ICMP and ICMPv6 echo requests), a modem that answers AT commands
 * on DUN, and an MBIM function that opens and closes on MBIM.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/checksum.h>
#include <net/ip6_checksum.h>

#include "mhi_sim.h"

/* Uplink channel numbers of the SDX55 channel table (see main.c). */
#define SIM_CHAN_MBIM		12
#define SIM_CHAN_DUN		32
#define SIM_CHAN_IP_SW0		46
#define SIM_CHAN_IP_HW0		100

/* MBIM 1.0, section 9.1: control message types and their header. */
#define MBIM_OPEN_MSG		0x00000001
#define MBIM_CLOSE_MSG		0x00000002
#define MBIM_FUNCTION_ERROR_MSG	0x80000004
#define MBIM_DONE		0x80000000
#define MBIM_ERROR_NOT_OPENED	5

struct mbim_done {
	__le32 type;
	__le32 length;
	__le32 transaction;
	__le32 status;
};

static bool sim_is_ip_chan(u32 chan)
{
	return chan == SIM_CHAN_IP_SW0 || chan == SIM_CHAN_IP_HW0;
}

static void sim_count(struct sim_modem *sim, u64 *counter, u64 n)
{
	spin_lock_bh(&sim->stats_lock);
	*counter += n;
	spin_unlock_bh(&sim->stats_lock);
}

static bool sim_echo4(u8 *pkt, size_t len)
{
	struct iphdr *ip = (struct iphdr *)pkt;
	size_t hlen = ip->ihl * 4;
	struct icmphdr *icmp = (struct icmphdr *)(pkt + hlen);

	if (hlen < sizeof(*ip) || len < hlen + sizeof(*icmp) ||
	    ntohs(ip->tot_len) != len || ip->protocol != IPPROTO_ICMP ||
	    icmp->type != ICMP_ECHO)
		return false;
	swap(ip->saddr, ip->daddr);
	ip->check = 0;
	ip->check = ip_fast_csum(ip, ip->ihl);
	icmp->type = ICMP_ECHOREPLY;
	icmp->checksum = 0;
	icmp->checksum = ip_compute_csum(icmp, len - hlen);
	return true;
}

static bool sim_echo6(u8 *pkt, size_t len)
{
	struct ipv6hdr *ip6 = (struct ipv6hdr *)pkt;
	struct icmp6hdr *icmp = (struct icmp6hdr *)(pkt + sizeof(*ip6));
	size_t plen = len - sizeof(*ip6);

	if (len < sizeof(*ip6) + sizeof(*icmp) ||
	    ntohs(ip6->payload_len) != plen || ip6->nexthdr != IPPROTO_ICMPV6 ||
	    icmp->icmp6_type != ICMPV6_ECHO_REQUEST)
		return false;
	swap(ip6->saddr, ip6->daddr);
	icmp->icmp6_type = ICMPV6_ECHO_REPLY;
	icmp->icmp6_cksum = 0;
	icmp->icmp6_cksum = csum_ipv6_magic(&ip6->saddr, &ip6->daddr, plen,
					    IPPROTO_ICMPV6,
					    csum_partial(icmp, plen, 0));
	return true;
}

/* The network: an echo request comes back as its reply; the rest is dropped. */
static void sim_serve_ip(struct sim_modem *sim, u32 chan, const u8 *data,
			 size_t len)
{
	bool echo = false;
	u8 *pkt;

	sim_count(sim, &sim->stats.ip_ul_packets, 1);
	sim_count(sim, &sim->stats.ip_ul_bytes, len);
	/* Fault injection: lose every Nth packet, to prove the checks notice. */
	if (sim_drop_every && ++sim->ip_seen % sim_drop_every == 0)
		goto drop;
	pkt = kmemdup(data, len, GFP_KERNEL);
	if (!pkt)
		goto drop;
	if (len >= sizeof(struct iphdr) && pkt[0] >> 4 == 4)
		echo = sim_echo4(pkt, len);
	else if (len >= sizeof(struct ipv6hdr) && pkt[0] >> 4 == 6)
		echo = sim_echo6(pkt, len);
	if (echo && !sim_queue_dl(sim, chan + 1, pkt, len)) {
		sim_count(sim, &sim->stats.ip_dl_packets, 1);
		sim_count(sim, &sim->stats.ip_dl_bytes, len);
		kfree(pkt);
		return;
	}
	kfree(pkt);
drop:
	sim_count(sim, &sim->stats.ip_dropped, 1);
}

static void sim_reply(struct sim_modem *sim, u32 chan, const char *text)
{
	sim_queue_dl(sim, chan + 1, text, strlen(text));
}

/* A modem's command line: every AT command is answered OK, anything else ERROR. */
static void sim_serve_at(struct sim_modem *sim, u32 chan, const u8 *data,
			 size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		char c = data[i];

		if (c != '\r' && c != '\n') {
			if (sim->at_len < sizeof(sim->at_line) - 1)
				sim->at_line[sim->at_len++] = c;
			continue;
		}
		if (!sim->at_len)
			continue;
		sim->at_line[sim->at_len] = '\0';
		sim->at_len = 0;
		sim_count(sim, &sim->stats.at_commands, 1);
		sim_reply(sim, chan, strncasecmp(sim->at_line, "AT", 2) ?
			  "\r\nERROR\r\n" : "\r\nOK\r\n");
	}
}

/* MBIM: OPEN and CLOSE are done; any other message before OPEN is an error. */
static void sim_serve_mbim(struct sim_modem *sim, u32 chan, const u8 *data,
			   size_t len)
{
	const struct mbim_done *msg = (const void *)data;
	struct mbim_done done;
	u32 type;

	if (len < offsetof(struct mbim_done, status))
		return;
	sim_count(sim, &sim->stats.mbim_messages, 1);
	type = le32_to_cpu(msg->type);
	done.transaction = msg->transaction;
	done.length = cpu_to_le32(sizeof(done));
	if (type == MBIM_OPEN_MSG || type == MBIM_CLOSE_MSG) {
		done.type = cpu_to_le32(type | MBIM_DONE);
		done.status = 0;
	} else {
		done.type = cpu_to_le32(MBIM_FUNCTION_ERROR_MSG);
		done.status = cpu_to_le32(MBIM_ERROR_NOT_OPENED);
	}
	sim_queue_dl(sim, chan + 1, &done, sizeof(done));
}

void sim_serve_ul(struct sim_modem *sim, u32 chan, const u8 *data, size_t len)
{
	if (sim_is_ip_chan(chan))
		sim_serve_ip(sim, chan, data, len);
	else if (chan == SIM_CHAN_DUN)
		sim_serve_at(sim, chan, data, len);
	else if (chan == SIM_CHAN_MBIM)
		sim_serve_mbim(sim, chan, data, len);
}

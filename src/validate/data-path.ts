import { MODEM_MODULE } from "./modem-build.js";

/** A check the guest runs and reports on one console line; every one must say "ok". */
export interface GuestCheck {
  id: string;
  /** What the check proves, and where the behaviour it relies on comes from. */
  source: string;
  /** busybox sh lines that end by printing the check's outcome with `say`. */
  script: string[];
}

/** Lines the guest prints for the host: kernel log lines that betray a fault. */
export const KMSG_MARK = "KBACKPORT-KMSG";

/** The run's modules that carry the data path; the modem's checks run only when all are there. */
export const DATA_PATH_MODULES = ["mhi", "mhi_net", "mhi_wwan_ctrl"] as const;

/** The guest's and the modem's addresses on the point-to-point IP link (TEST-NET-1, RFC 5737). */
const GUEST_ADDRESS = "192.0.2.1/30";
const MODEM_ADDRESS = "192.0.2.2";
export const PINGS = 20;
export const FLOOD = 2000;
export const REBINDS = 3;
/** busybox ping's default payload, plus the ICMP (8) and IPv4 (20) headers: the bytes of one echo. */
const ECHO_BYTES = 56 + 8 + 20;

const MODEM_SYSFS = `/sys/bus/platform/devices/${MODEM_MODULE}`;
const MODEM_DRIVER = `/sys/bus/platform/drivers/${MODEM_MODULE}`;

/** Shell helpers the checks share: the outcome line, the kernel log's tail before a failure, counters. */
export function guestHelpers(checkMark: string): string[] {
  return [
    `say() { echo "${checkMark} $1 $2\${3:+ $3}"; }`,
    // The console lines around a failure: the kernel's own, which loglevel keeps off the console.
    `fail() { dmesg | tail -n 12; say "$1" fail "$2"; }`,
    `netstat() { cat /sys/class/net/$net/statistics/$1 2>/dev/null || echo 0; }`,
    `modem() { cat ${MODEM_SYSFS}/$1 2>/dev/null || echo 0; }`,
    `counters() { echo "$(netstat tx_packets) $(netstat rx_packets) $(netstat tx_bytes) $(netstat rx_bytes) $(modem ip_ul_packets) $(modem ip_dl_packets) $(modem ip_ul_bytes) $(modem ip_dl_bytes)"; }`,
    // mhi_net's interface for IP_HW0, its IPv6 off so that nothing but the checks' packets crosses it.
    `netup() { net=$(ls /sys/bus/mhi/devices/mhi*_IP_HW0/net 2>/dev/null | head -n 1); [ -n "$net" ] || return 1;` +
      ` echo 1 > /proc/sys/net/ipv6/conf/$net/disable_ipv6 2>/dev/null;` +
      ` ip link set $net up && ip addr add ${GUEST_ADDRESS} dev $net; }`,
    `received() { sed -n 's/.* \\([0-9]*\\) packets received.*/\\1/p' "$1"; }`,
    `wwanport() { for p in /sys/class/wwan/*$1*; do case "$(readlink -f "$p")" in *${MODEM_MODULE}*) echo "/dev/\${p##*/}"; return;; esac; done; }`,
  ];
}

const SIM_SOURCE = "sim/ (software MHI modem, SDX55 channel table)";

/**
 * The checks that prove the backported stack moves data, against the software modem in sim/. Pings
 * go out as soon as the reply is in (-A), a lost one costing at most the interval (-i).
 */
export function dataPathChecks(): GuestCheck[] {
  const echoBytes = PINGS * ECHO_BYTES;
  return [
    {
      id: "modem-mission-mode",
      source: `${SIM_SOURCE}: mhi_sync_power_up() through RESET, READY, M0 and the AMSS EE event`,
      script: [
        `state=$(cat ${MODEM_SYSFS}/state 2>&1)`,
        `if [ "$state" = "M0 mission-mode" ]; then say modem-mission-mode ok "$state";`,
        `else fail modem-mission-mode "modem state: $state"; fi`,
      ],
    },
    {
      id: "modem-mhi-devices",
      source: `${SIM_SOURCE}: the MHI core creates a device per channel pair in mission mode`,
      script: [
        `missing=""; for ch in IP_HW0 IP_SW0 DUN MBIM; do`,
        `  ls -d /sys/bus/mhi/devices/mhi*_$ch >/dev/null 2>&1 || missing="$missing $ch"; done`,
        `if [ -z "$missing" ]; then say modem-mhi-devices ok "$(ls /sys/bus/mhi/devices | tr '\\n' ' ')";`,
        `else fail modem-mhi-devices "no MHI device for channel(s)$missing"; fi`,
      ],
    },
    {
      id: "modem-net-up",
      source: `${SIM_SOURCE}: mhi_net binds IP_HW0 and its interface opens (channel start commands)`,
      script: [
        `if netup 2>/tmp/netup && [ "$(cat /sys/class/net/$net/carrier 2>/dev/null)" = 1 ]; then`,
        `  say modem-net-up ok "$net ${GUEST_ADDRESS}";`,
        `else fail modem-net-up "mhi_net interface \${net:-missing}: $(cat /tmp/netup)"; fi`,
      ],
    },
    {
      id: "modem-ping",
      source: `${SIM_SOURCE}: ICMP echo over IP_HW0 (uplink TREs, downlink buffers, completion events)`,
      script: [
        `before=$(counters)`,
        `ping -c ${PINGS} -A -i 0.2 -W 2 ${MODEM_ADDRESS} > /tmp/ping 2>&1; got=$(received /tmp/ping)`,
        `after=$(counters)`,
        `if [ "$got" = ${PINGS} ]; then say modem-ping ok "${PINGS} of ${PINGS} echo replies";`,
        `else cat /tmp/ping; fail modem-ping "\${got:-no} of ${PINGS} echo replies from ${MODEM_ADDRESS}"; fi`,
      ],
    },
    {
      id: "modem-counters",
      source: `${SIM_SOURCE}: mhi_net's rx/tx counters (the u64_stats code the rules rewrite) equal what crossed the modem`,
      script: [
        `set -- $before $after; i=1; delta=""`,
        `for b in $1 $2 $3 $4 $5 $6 $7 $8; do eval a=\\\${$((i + 8))}; delta="$delta $((a - b))"; i=$((i + 1)); done`,
        `set -- $delta`,
        `shown="tx_packets +$1 rx_packets +$2 tx_bytes +$3 rx_bytes +$4; modem received +$5 packets +$7 bytes, sent +$6 packets +$8 bytes"`,
        `if [ "$delta" = " ${PINGS} ${PINGS} ${echoBytes} ${echoBytes} ${PINGS} ${PINGS} ${echoBytes} ${echoBytes}" ]; then`,
        `  say modem-counters ok "$shown";`,
        `else fail modem-counters "expected +${PINGS} packets and +${echoBytes} bytes each way: $shown"; fi`,
      ],
    },
    {
      id: "modem-at",
      source: `${SIM_SOURCE}: AT through mhi_wwan_ctrl's DUN port and the WWAN core`,
      script: [
        `port=$(wwanport at)`,
        `if [ -n "$port" ]; then exec 3<>$port; printf 'AT\\r' >&3; timeout 3 cat <&3 > /tmp/at 2>/dev/null; exec 3<&-; fi`,
        `if [ -n "$port" ] && grep -q OK /tmp/at; then say modem-at ok "$port replied OK";`,
        `elif [ -z "$port" ]; then fail modem-at "no WWAN AT port of the modem";`,
        `else fail modem-at "$port replied '$(tr -d '\\r\\n' < /tmp/at)'"; fi`,
      ],
    },
    {
      id: "modem-mbim",
      source: `${SIM_SOURCE}: an MBIM OPEN through mhi_wwan_ctrl's MBIM port is answered with OPEN_DONE`,
      script: [
        `port=$(wwanport mbim)`,
        // MBIM_OPEN_MSG: type 1, length 16, transaction 7, MaxControlTransfer 4096 (little-endian).
        `if [ -n "$port" ]; then exec 3<>$port; printf '\\001\\000\\000\\000\\020\\000\\000\\000\\007\\000\\000\\000\\000\\020\\000\\000' >&3;`,
        `  timeout 3 cat <&3 > /tmp/mbim 2>/dev/null; exec 3<&-; fi`,
        `reply=$(od -An -tx1 /tmp/mbim 2>/dev/null | tr -s ' \\n' ' ')`,
        `case "$reply" in " 01 00 00 80 10 00 00 00 07 00 00 00 00 00 00 00 ") say modem-mbim ok "$port: OPEN_DONE, status 0";;`,
        `*) fail modem-mbim "\${port:-no MBIM port}: reply '$reply'";; esac`,
      ],
    },
    {
      id: "modem-flood",
      source: `${SIM_SOURCE}: ${FLOOD} echo requests back to back, none lost (ring wrap, burst doorbells)`,
      script: [
        `ping -c ${FLOOD} -A -i 0.05 -q -W 2 ${MODEM_ADDRESS} > /tmp/flood 2>&1; got=$(received /tmp/flood)`,
        `if [ "$got" = ${FLOOD} ]; then say modem-flood ok "${FLOOD} of ${FLOOD} replies";`,
        `else cat /tmp/flood; fail modem-flood "\${got:-no} of ${FLOOD} replies"; fi`,
      ],
    },
    {
      id: "modem-rebind",
      source: `${SIM_SOURCE}: unbind and bind of the controller ${REBINDS} times (power down, reset, power up), then echo again`,
      script: [
        `bad=""; for i in ${Array.from({ length: REBINDS }, (_, i) => i + 1).join(" ")}; do`,
        `  echo ${MODEM_MODULE} > ${MODEM_DRIVER}/unbind || bad="$bad unbind-$i"`,
        `  [ -e /sys/class/net/$net ] && bad="$bad $net-kept-$i"`,
        `  echo ${MODEM_MODULE} > ${MODEM_DRIVER}/bind || bad="$bad bind-$i"`,
        `  [ "$(cat ${MODEM_SYSFS}/state 2>/dev/null)" = "M0 mission-mode" ] || bad="$bad no-mission-mode-$i"`,
        `done`,
        `netup 2>/dev/null || bad="$bad no-interface"`,
        `ping -c 3 -A -i 0.2 -W 2 ${MODEM_ADDRESS} > /tmp/rebind 2>&1; [ "$(received /tmp/rebind)" = 3 ] || bad="$bad no-echo"`,
        `if [ -z "$bad" ]; then say modem-rebind ok "${REBINDS} cycles, echo after them";`,
        `else fail modem-rebind "failed:$bad"; fi`,
      ],
    },
  ];
}

/** Every module unloads, the last loaded first, and takes nothing with it. */
export function unloadCheck(modules: readonly string[]): GuestCheck {
  const reversed = [...modules].reverse();
  return {
    id: "modules-unload",
    source: "each module's exit path: rmmod in reverse load order",
    script: [
      `bad=""; for m in ${reversed.join(" ")}; do rmmod $m 2>/tmp/rmmod || bad="$bad $m($(cat /tmp/rmmod))"; done`,
      `if [ -z "$bad" ]; then say modules-unload ok "${reversed.join(", ")}";`,
      `else fail modules-unload "not unloaded:$bad"; fi`,
    ],
  };
}

/** Kernel log lines that mean something went wrong, whatever the console's log level showed. */
export const KERNEL_FAULTS = /Oops|BUG:|WARNING:|Call Trace|general protection fault|Unable to handle kernel/;

/** The guest's last words: the kernel log's fault lines, each marked for the host. */
export function kernelLogScript(): string {
  return `dmesg | grep -E '${KERNEL_FAULTS.source}' | sed 's/^/${KMSG_MARK} /'`;
}

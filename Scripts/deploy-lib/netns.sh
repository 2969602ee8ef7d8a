# Test hosts in network namespaces (sourced after common.sh).
#
# A bridge lives in a namespace of its own; each host is a namespace with `lo` and an `eth0`
# (one end of a veth pair whose other end is a port of that bridge) holding one address in
# $netns_subnet.0/24. Interfaces are created inside the namespaces, never in the root one, and
# no namespace has a default route: the addresses exist only in here, and nothing in the
# root namespace ever sends to them. Everything is deleted on exit (the trap in common.sh).

netns_subnet=${netns_subnet:-10.231.0}
netns_prefix="dg$$"          # namespace names: unique per run, so runs never collide
# host_ns[HOST]: its namespace; host_addr[HOST]: its address; ${in_ns[HOST]} COMMAND... (unquoted)
# runs COMMAND there: `ip netns exec` execs it, so a PID taken with $! is the command's own.
declare -A host_ns=() host_addr=() in_ns=()

# netns_create HOST LAST_OCTET...: e.g. netns_create coord 10 w1 11 w2 12
netns_create() {
    local bridge=$netns_prefix-br host octet ns i=0
    ip netns add "$bridge"
    at_exit "netns_delete $bridge"
    ip -n "$bridge" link set lo up
    ip -n "$bridge" link add br0 type bridge
    ip -n "$bridge" link set br0 up
    while (($# >= 2)); do
        host=$1 octet=$2
        shift 2
        ns=$netns_prefix-$host
        i=$((i + 1))
        ip netns add "$ns"
        at_exit "netns_delete $ns"
        ip -n "$bridge" link add "p$i" type veth peer name eth0 netns "$ns"
        ip -n "$bridge" link set "p$i" master br0 up
        ip -n "$ns" link set lo up
        ip -n "$ns" addr add "$netns_subnet.$octet/24" dev eth0
        ip -n "$ns" link set eth0 up
        host_ns[$host]=$ns
        host_addr[$host]=$netns_subnet.$octet
        in_ns[$host]="ip netns exec $ns"
    done
    netns_check_isolated
}

# Ends what still runs in a namespace of ours (a daemon's orphans: every PID there was
# started by this script), then deletes it.
netns_delete() {
    local pid
    for pid in $(ip netns pids "$1" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
    ip netns del "$1"
}

# No host may reach beyond the subnet: asking the kernel for a route out must fail. This
# sends no packet.
netns_check_isolated() {
    local host
    for host in "${!host_ns[@]}"; do
        if ip netns exec "${host_ns[$host]}" ip route get 1.1.1.1 >/dev/null 2>&1; then
            die "namespace ${host_ns[$host]} has a route out; refusing to go on"
        fi
        [[ -z $(ip -n "${host_ns[$host]}" route show default) ]] || die "namespace ${host_ns[$host]} has a default route"
    done
    return 0
}


# Takes HOST's only link down, as if its cable were cut.
cut_link() { ip -n "${host_ns[$1]}" link set eth0 down; }

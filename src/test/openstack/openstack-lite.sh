#!/usr/bin/env bash
# openstack-lite.sh: a real OpenStack (Zed, from Debian 12 packages) on 127.0.0.1 for the integration tests.
#
#   openstack-lite.sh start    install the packages if missing, configure, start; the first run also bootstraps.
#                              While the stack runs, start only checks its health. After a stop, it is a warm
#                              restart. Writes $OS_LITE_BASE/openstack-lite.properties for the tests.
#   openstack-lite.sh stop     stops the processes start recorded (by PID), nothing else
#   openstack-lite.sh status   what runs and whether it answers; exit 0 healthy, 1 unhealthy, 3 stopped
#   openstack-lite.sh reset    stop, then wipe all state: the next start is a first run
#   openstack-lite.sh clean    delete every server of the jenkins project (left by an interrupted test run)
#
# What runs: MariaDB, RabbitMQ, Keystone, Placement, Glance (file store), Neutron server (ML2, no agents) and
# Nova api, conductor, scheduler and compute with fake.FakeDriver (no VMs: servers go ACTIVE in 1-3 s).
# Everything listens on 127.0.0.1 only. Needs root (apt-get; MariaDB and RabbitMQ run as their own users; run as
# another user it re-runs itself through sudo -n) and about 1.6 GB of memory.
#
# What the tests find (written to the properties file, read by LocalOpenStack):
#   Keystone http://127.0.0.1:5000/v3, region RegionOne, domain Default
#   project jenkins, user jenkins / secret (role member), application credential jenkins-agents of that user
#   admin / secret, project admin
#   flavors m1.small (id 1: 1 vCPU, 512 MB, 1 GB) and m1.medium (id 2: 2 vCPU, 1024 MB, 1 GB),
#   public image fake-image, compute quota of project jenkins: 3 instances, 6 cores, 4096 MB RAM.
#   Networks (Neutron ML2, flat, DHCP off; ports bound by the fake_agent driver to one agent row, no process):
#     agents-net    project jenkins, physnet1, subnet 127.10.0.0/16 (gateway 127.10.0.1)      network.id
#     agents-ext    admin, router:external, physnet3, subnet 127.20.0.0/16 (gateway 127.20.0.1)  network.external.id
#     agents-router project jenkins, gateway on agents-ext, interface on agents-net's subnet  router.id
#   so floating IPs of agents-ext associate with ports on agents-net. physnet2 is bound too, for a second network
#   a test makes for itself (agents-net-2, 127.12.0.0/16) and deletes: with two networks of its own, project
#   jenkins has no default network (Nova answers 409 "Multiple possible networks found" to a boot that names
#   none), and the demo and most tests rely on Nova's default. A start deletes an agents-net-2 a crashed run left.
#   Neutron tells Nova of floating IP changes: Nova lists a floating address ~2 s after it is associated.
#   Neutron's request log: neutron.wsgi lines of $OS_LITE_BASE/log/neutron-server.log (logDir).
#
# State (databases, keys, images, logs, PIDs) lives in $OS_LITE_BASE, default /var/tmp/openstack-agents-lite,
# outside the work tree: after mvn clean or in a new clone, start is still a warm restart. (systemd-tmpfiles
# deletes files in /var/tmp unused for 30 days on some machines: reset, then start, if a month-old stack fails.)
#
# Lessons this script carries (from the feasibility spike, see the project's reference notes):
# - no systemd: every daemon is started here in its own session, its PID recorded; package scripts are kept
#   from starting services with policy-rc.d during apt-get install;
# - the nova-compute package drags in qemu and libvirt: compute runs nova.cmd.compute from python3-nova;
# - a pyenv (or other) python3 may shadow Debian's: PATH is forced to the system directories;
# - uwsgi services answer with "Connection: close" (clients otherwise hang on kept-alive sockets);
# - Neutron answers GET /v2.0/ports with 500 until another query has configured its ORM: warmed up on start;
# - an openstack CLI process costs about 1.5 s to start: the bootstrap talks to the APIs with curl instead.
set -euo pipefail -o errtrace
shopt -s inherit_errexit

export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive
export no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy PYTHONPATH PYTHONHOME OS_CLOUD || true
umask 022

SELF=$(readlink -f "$0")
BASE=${OS_LITE_BASE:-/var/tmp/openstack-agents-lite}
ETC=$BASE/etc LOG=$BASE/log RUN=$BASE/run STATE=$BASE/state
PROPS=$BASE/openstack-lite.properties

HOST=127.0.0.1
PW=secret                                   # every password of this test rig
REGION=RegionOne
KS_URL=http://$HOST:5000/v3
NOVA_URL=http://$HOST:8774/v2.1
GLANCE_URL=http://$HOST:9292
NEUTRON_URL=http://$HOST:9696
AGENTS_NET=agents-net AGENTS_NET_2=agents-net-2 AGENTS_EXT=agents-ext AGENTS_ROUTER=agents-router
PHYSNETS=(physnet1 physnet2 physnet3)     # agents-net, agents-net-2, agents-ext: flat allows one network each
PLACEMENT_URL=http://$HOST:8778
NOVA_MV=2.37                                # first microversion with "networks": "none"
DB="mysql+pymysql://openstack:$PW@$HOST:3306"
RABBIT_URL="rabbit://openstack:$PW@$HOST:5672/"
QUOTA_INSTANCES=3 QUOTA_CORES=6 QUOTA_RAM_MB=4096
APPCRED_NAME=jenkins-agents
IMAGE_NAME=fake-image

PACKAGES=(mariadb-server rabbitmq-server python3-pymysql keystone uwsgi-plugin-python3 placement-api glance-api
          neutron-common python3-nova python3-amqp nova-api nova-conductor nova-scheduler python3-openstackclient curl jq
          openssh-server)  # the real sshd one end-to-end test gives its agent server (its own, on a 127.10 address)
PORTS=(3306 4369 5672 25672 5000 8778 9292 9696 8774)
# start order; stop goes the other way
SERVICES=(mariadb epmd rabbitmq keystone placement glance-api neutron-server
          nova-api nova-conductor nova-scheduler nova-compute)
OPENSTACK_SERVICES=(nova-compute nova-scheduler nova-conductor nova-api neutron-server glance-api placement keystone)

# ------------------------------------------------------------------------------------------------ output
# All output goes to stdout; the one sentence saying why a command failed goes to stderr as well (fd 3), so a
# caller that captures stderr (the Maven build) can show it as the failure message.
exec 3>&2 2>&1
CMD=${1:-}
T0=$(date +%s%N) PHASE_T=$T0 PHASE="" PHASE_LOGS=() TIMINGS=() FAILED_CMD="" REPORTED=""

secs() { local ms=$(( ($2 - $1) / 1000000 )); printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100)); }

phase() {  # phase NAME [LOG...]: closes the previous phase (its time goes to the summary), opens NAME
  local now; now=$(date +%s%N)
  [ -z "$PHASE" ] || TIMINGS+=("$PHASE $(secs "$PHASE_T" "$now") s")
  PHASE=$1 PHASE_T=$now PHASE_LOGS=("${@:2}")
  [ "$PHASE" = done ] || printf '[%6s s] %s\n' "$(secs "$T0" "$now")" "$PHASE"
}

say_failure() {  # the sentence, on stdout and (if it is elsewhere) on the caller's stderr
  echo "openstack-lite: $1"
  [ "$(readlink /proc/$$/fd/1)" = "$(readlink /proc/$$/fd/3)" ] || echo "openstack-lite: $1" >&3
  REPORTED=1
}

show_logs() {  # the last lines of each existing, non-empty log given
  local f seen=" "
  for f in "$@"; do
    [[ $seen == *" $f "* ]] && continue; seen+="$f "
    if [ -s "$f" ]; then echo "----- last lines of $f"; tail -n 25 "$f"; fi
  done
  [ $# = 0 ] || echo "----- (all logs: $LOG)"
}

fail() {  # fail SENTENCE [LOG...]: shows the logs' tails (and the phase's), says what failed, exits 1
  show_logs "${@:2}" "${PHASE_LOGS[@]}"
  say_failure "$1"
  exit 1
}

on_err() { FAILED_CMD=$BASH_COMMAND; }
on_exit() {
  local rc=$?
  [ $rc != 0 ] && [ -z "$REPORTED" ] || return 0
  show_logs "${PHASE_LOGS[@]}"
  say_failure "$CMD failed while ${PHASE:-starting} (\`${FAILED_CMD:-?}\` exited $rc); see the output above."
}
trap on_err ERR
trap on_exit EXIT

# ------------------------------------------------------------------------------------------------ processes
proc_start_time() {  # field 22 of /proc/PID/stat: when the process started, in clock ticks since boot
  local s
  { read -r s < "/proc/$1/stat"; } 2> /dev/null || return 1
  s=${s##*) }; set -- $s; echo "${20}"
}
proc_session() {  # field 6 of /proc/PID/stat
  local s
  { read -r s < "/proc/$1/stat"; } 2> /dev/null || return 1
  s=${s##*) }; set -- $s; echo "$4"
}

recorded() {  # recorded NAME: prints "PID START" when NAME's recorded process still runs (same PID, same start)
  local pid start
  [ -f "$RUN/$1.pid" ] || return 1
  read -r pid start < "$RUN/$1.pid" || return 1
  [ -n "$pid" ] && [ "$(proc_start_time "$pid" || true)" = "$start" ] || return 1
  echo "$pid $start"
}
running() { recorded "$1" > /dev/null; }

start_bg() {  # start_bg NAME CMD...: runs CMD in its own session (its processes can be told from others), logs
              # to $LOG/NAME.out, records PID and start time in $RUN/NAME.pid
  local name=$1 pid; shift
  setsid "$@" >> "$LOG/$name.out" 2>&1 < /dev/null 3>&- 9>&- &
  pid=$!
  echo "$pid $(proc_start_time "$pid")" > "$RUN/$name.pid"
}

session_members() {  # processes whose session is $1 (the services started by start_bg lead their session)
  local sid=$1 d s
  for d in /proc/[0-9]*; do
    { read -r s < "$d/stat"; } 2> /dev/null || continue
    s=${s##*) }; set -- $s
    [ "$4" != "$sid" ] || echo "${d#/proc/}"
  done
}

stop_service() {  # stop_service NAME SECONDS: SIGTERM to the recorded process, SIGKILL to what is left after
  local name=$1 t=$2 rec pid start members m i t0
  rec=$(recorded "$name") || { rm -f "$RUN/$name.pid"; return 0; }
  read -r pid start <<< "$rec"
  t0=$(date +%s%N)
  members=$(session_members "$pid")
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < t * 10; i++)); do [ "$(proc_start_time "$pid" || true)" = "$start" ] || break; sleep 0.1; done
  if [ "$(proc_start_time "$pid" || true)" = "$start" ]; then
    echo "$name (pid $pid) did not stop within $t s: SIGKILL"; kill -KILL "$pid" 2>/dev/null || true
  fi
  for m in $members; do  # workers that outlived their leader, still in its session
    [ "$(proc_session "$m" || true)" = "$pid" ] && kill -KILL "$m" 2>/dev/null || true
  done
  rm -f "$RUN/$name.pid"
  echo "stopped $name (pid $pid) in $(secs "$t0" "$(date +%s%N)") s"
}

AS_RABBIT=(setpriv --reuid=rabbitmq --regid=rabbitmq --init-groups env HOME=/var/lib/rabbitmq)
rabbit_env() {
  export RABBITMQ_NODENAME=rabbit@localhost RABBITMQ_NODE_IP_ADDRESS=$HOST RABBITMQ_NODE_PORT=5672 \
         RABBITMQ_DIST_PORT=25672 ERL_EPMD_ADDRESS=$HOST ERL_EPMD_PORT=4369 \
         RABBITMQ_CONFIG_FILE="$ETC/rabbitmq/rabbitmq" RABBITMQ_ENABLED_PLUGINS_FILE="$ETC/rabbitmq/enabled_plugins" \
         RABBITMQ_MNESIA_BASE="$STATE/rabbitmq/mnesia" RABBITMQ_LOG_BASE="$LOG/rabbitmq" \
         RABBITMQ_PID_FILE="$STATE/rabbitmq/rabbit.pid" \
         RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" \
         RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
}
rctl() { "${AS_RABBIT[@]}" /usr/lib/rabbitmq/bin/rabbitmqctl -q "$@"; }

stop_all() {
  local s any=""
  for s in "${SERVICES[@]}"; do running "$s" && any=1; done
  if [ -z "$any" ]; then echo "openstack-lite: not running"; rm -f "$RUN"/*.pid 2>/dev/null || true; return 0; fi
  local t0; t0=$(date +%s%N)
  for s in "${OPENSTACK_SERVICES[@]}"; do stop_service "$s" 30 & done
  wait
  if running rabbitmq; then rabbit_env; timeout 30 "${AS_RABBIT[@]}" /usr/lib/rabbitmq/bin/rabbitmqctl -q stop \
      > /dev/null 2>&1 || true; fi
  stop_service rabbitmq 30
  stop_service epmd 5
  stop_service mariadb 60
  echo "openstack-lite: stopped in $(secs "$t0" "$(date +%s%N)") s"
}

# ------------------------------------------------------------------------------------------------ waiting, HTTP
port_open() { (exec 5<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

wait_port() {  # wait_port PORT SECONDS SERVICE: fails early when the service's process died
  local i
  for ((i = 0; i < $2 * 5; i++)); do
    port_open "$1" && return 0
    running "$3" || fail "$3 exited before it listened on $HOST:$1." "$LOG/$3.out" "$LOG/$3.log"
    sleep 0.2
  done
  fail "$3 did not listen on $HOST:$1 within $2 s." "$LOG/$3.out" "$LOG/$3.log"
}

wait_http() {  # wait_http URL SECONDS SERVICE
  local i
  for ((i = 0; i < $2 * 5; i++)); do
    curl -s -o /dev/null -m 2 "$1" && return 0
    running "$3" || fail "$3 exited before it answered $1." "$LOG/$3.out" "$LOG/$3.log"
    sleep 0.2
  done
  fail "$3 did not answer $1 within $2 s." "$LOG/$3.out" "$LOG/$3.log"
}

TOKEN=""
api() {  # api METHOD URL [JSON]: the answer's body, with $TOKEN; on an answer other than 2xx says so, returns 1
  local method=$1 url=$2 out code
  local args=(-sS -m 60 -X "$method" -H "X-Auth-Token: $TOKEN" -H 'Accept: application/json'
              -H "X-OpenStack-Nova-API-Version: $NOVA_MV" -H 'OpenStack-API-Version: placement 1.0' -w '\n%{http_code}')
  [ $# -lt 3 ] || args+=(-H 'Content-Type: application/json' --data-binary "$3")
  out=$(curl "${args[@]}" "$url") || { echo "openstack-lite: $method $url: no answer" >&2; return 1; }
  code=${out##*$'\n'} out=${out%$'\n'*}
  [[ $code == 2?? ]] || { echo "openstack-lite: $method $url answered $code: ${out:0:600}" >&2; return 1; }
  printf '%s\n' "$out"
}
status_of() { curl -s -o /dev/null -m 30 -w '%{http_code}' -X "$1" -H "X-Auth-Token: $TOKEN" \
                   -H "X-OpenStack-Nova-API-Version: $NOVA_MV" "$2" || true; }

password_auth() {  # password_auth USER PROJECT [PASSWORD]: the JSON body of a project-scoped password token request
  jq -cn --arg u "$1" --arg p "$2" --arg pw "${3:-$PW}" '{auth: {identity: {methods: ["password"],
    password: {user: {name: $u, domain: {id: "default"}, password: $pw}}},
    scope: {project: {name: $p, domain: {id: "default"}}}}}'
}
appcred_auth() {
  jq -cn --arg id "$1" --arg s "$2" \
    '{auth: {identity: {methods: ["application_credential"], application_credential: {id: $id, secret: $s}}}}'
}
issue_token() {  # issue_token JSON: the token Keystone issues for that request; returns 1 when it issues none
  local t
  t=$(curl -s -m 30 -i -H 'Content-Type: application/json' --data-binary "$1" "$KS_URL/auth/tokens" \
      | awk -F': ' 'tolower($1) == "x-subject-token" { print $2 }' | tr -d '\r') || return 1
  [ -n "$t" ] || return 1
  echo "$t"
}
admin_token() { TOKEN=$(issue_token "$(password_auth admin admin)") || fail "Keystone refused the admin password."; }

# ------------------------------------------------------------------------------------------------ start: pieces
need_root() {
  [ "$(id -u)" = 0 ] && return 0
  if command -v sudo > /dev/null && sudo -n true 2> /dev/null; then
    exec sudo -n env OS_LITE_BASE="$BASE" bash "$SELF" "$CMD" "$@" 2>&3 3>&-
  fi
  REPORTED=1; say_failure "$CMD needs root (it installs packages and runs MariaDB and RabbitMQ as their users); run it as root or with sudo."
  exit 1
}

lock() {  # one openstack-lite.sh at a time per state directory (two builds starting at once)
  mkdir -p "$BASE"
  exec 9>> "$BASE/.lock"
  flock -w 1200 9 || fail "another openstack-lite.sh has held $BASE/.lock for 20 minutes."
}

ensure_packages() {
  local p missing=() own_policy=""
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2> /dev/null | grep -q 'ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} = 0 ]; then echo "all ${#PACKAGES[@]} packages installed"; return 0; fi
  command -v apt-get > /dev/null || fail "packages ${missing[*]} are missing and there is no apt-get: this script needs Debian 12."
  echo "installing ${missing[*]} and their dependencies (a few minutes; log: $LOG/apt.log)"
  if [ ! -e /usr/sbin/policy-rc.d ]; then  # package scripts must not start the system's own services
    printf '#!/bin/sh\n# openstack-lite.sh: no service starts while it installs packages\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d; own_policy=1
  fi
  local ok=1
  apt-get -o DPkg::Lock::Timeout=600 update -q > "$LOG/apt.log" 2>&1 &&
  apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends -o Dpkg::Options::=--force-confdef \
      -o Dpkg::Options::=--force-confold "${PACKAGES[@]}" >> "$LOG/apt.log" 2>&1 || ok=""
  [ -z "$own_policy" ] || rm -f /usr/sbin/policy-rc.d
  [ -n "$ok" ] || fail "apt-get could not install ${missing[*]}." "$LOG/apt.log"
  echo "installed: $(grep -c '^Setting up' "$LOG/apt.log" || true) packages set up"
}

check_ports_free() {
  local p holder
  for p in "${PORTS[@]}"; do
    port_open "$p" || continue
    holder=$(ss -ltnpH "sport = :$p" 2> /dev/null | grep -o 'users:((".*' | head -1 || true)
    fail "port $HOST:$p is taken by a process openstack-lite.sh did not start (${holder:-unknown}); stop it first."
  done
}

start_mariadb() {
  mkdir -p "$STATE/mysql" "$RUN/mysql"
  chown mysql:mysql "$STATE/mysql" "$RUN/mysql"
  if [ ! -d "$STATE/mysql/mysql" ]; then
    mariadb-install-db --no-defaults --user=mysql --datadir="$STATE/mysql" --skip-test-db \
        --auth-root-authentication-method=socket > "$LOG/mariadb-install-db.log" 2>&1 \
      || fail "mariadb-install-db could not create the data directory." "$LOG/mariadb-install-db.log"
  fi
  start_bg mariadb /usr/sbin/mariadbd --no-defaults --user=mysql --datadir="$STATE/mysql" \
      --socket="$RUN/mysql/mysqld.sock" --pid-file="$RUN/mysql/mysqld.pid" --bind-address=$HOST --port=3306 \
      --skip-name-resolve --max-connections=1000 --innodb-buffer-pool-size=64M --performance-schema=OFF \
      --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci --log-error="$LOG/mariadb.log"
  wait_port 3306 60 mariadb
  local i
  for ((i = 0; i < 100; i++)); do mysql_root -e 'select 1' > /dev/null 2>&1 && break; sleep 0.2; done
  mysql_root <<SQL || fail "MariaDB refused to create the databases."
CREATE DATABASE IF NOT EXISTS keystone; CREATE DATABASE IF NOT EXISTS placement;
CREATE DATABASE IF NOT EXISTS glance;   CREATE DATABASE IF NOT EXISTS neutron;
CREATE DATABASE IF NOT EXISTS nova_api; CREATE DATABASE IF NOT EXISTS nova; CREATE DATABASE IF NOT EXISTS nova_cell0;
CREATE USER IF NOT EXISTS 'openstack'@'127.0.0.1' IDENTIFIED BY '$PW';
CREATE USER IF NOT EXISTS 'openstack'@'localhost' IDENTIFIED BY '$PW';
GRANT ALL PRIVILEGES ON *.* TO 'openstack'@'127.0.0.1'; GRANT ALL PRIVILEGES ON *.* TO 'openstack'@'localhost';
FLUSH PRIVILEGES;
SQL
}
mysql_root() { mysql --protocol=socket --socket="$RUN/mysql/mysqld.sock" -uroot "$@"; }

start_rabbitmq() {
  mkdir -p "$STATE/rabbitmq" "$LOG/rabbitmq"
  chown rabbitmq:rabbitmq "$STATE/rabbitmq" "$LOG/rabbitmq"
  printf 'listeners.tcp.default = %s:5672\nloopback_users = none\ndisk_free_limit.absolute = 50MB\n' "$HOST" \
      > "$ETC/rabbitmq/rabbitmq.conf"
  echo '[].' > "$ETC/rabbitmq/enabled_plugins"
  rabbit_env
  start_bg epmd "${AS_RABBIT[@]}" /usr/bin/epmd -address $HOST -port 4369
  wait_port 4369 10 epmd
  start_bg rabbitmq "${AS_RABBIT[@]}" /usr/lib/rabbitmq/bin/rabbitmq-server
  wait_port 5672 120 rabbitmq
  if [ ! -f "$STATE/.rabbit-user" ]; then
    rctl await_startup > /dev/null
    rctl add_user openstack "$PW" > /dev/null 2>&1 || rctl change_password openstack "$PW" > /dev/null
    rctl set_permissions -p / openstack '.*' '.*' '.*' > /dev/null
    touch "$STATE/.rabbit-user"
  fi
}

authtoken() {  # [keystone_authtoken] of a service whose API checks tokens
  printf '[keystone_authtoken]\nwww_authenticate_uri = http://%s:5000\nauth_url = http://%s:5000\n' $HOST $HOST
  printf 'auth_type = password\nproject_domain_name = Default\nuser_domain_name = Default\n'
  printf 'project_name = service\nusername = %s\npassword = %s\n' "$1" "$PW"
}
service_client() {  # keystoneauth options of a service calling another one
  printf 'auth_url = %s\nauth_type = password\nproject_domain_name = Default\nuser_domain_name = Default\n' "$KS_URL"
  printf 'project_name = service\nusername = %s\npassword = %s\nregion_name = %s\n' "$1" "$PW" "$REGION"
}

write_configs() {
  mkdir -p "$STATE/keystone/fernet-keys" "$STATE/keystone/credential-keys" "$STATE/glance/images" \
           "$STATE/glance/tmp" "$STATE/nova/instances" "$STATE/nova/tmp" "$STATE/neutron/tmp" "$BASE/bin"
  cat > "$ETC/keystone/keystone.conf" <<EOF
[DEFAULT]
log_file = $LOG/keystone.log
[database]
connection = $DB/keystone?charset=utf8
[token]
provider = fernet
[fernet_tokens]
key_repository = $STATE/keystone/fernet-keys
[credential]
key_repository = $STATE/keystone/credential-keys
EOF
  cat > "$ETC/placement/placement.conf" <<EOF
[DEFAULT]
log_file = $LOG/placement.log
[placement_database]
connection = $DB/placement?charset=utf8
[api]
auth_strategy = keystone
$(authtoken placement)
EOF
  cat > "$ETC/glance/glance-api.conf" <<EOF
[DEFAULT]
bind_host = $HOST
bind_port = 9292
workers = 1
log_file = $LOG/glance-api.log
enabled_backends = fs:file
[database]
connection = $DB/glance?charset=utf8
$(authtoken glance)
[paste_deploy]
flavor = keystone
config_file = /etc/glance/glance-api-paste.ini
[glance_store]
default_backend = fs
[fs]
filesystem_store_datadir = $STATE/glance/images
[os_glance_tasks_store]
filesystem_store_datadir = $STATE/glance/tmp/tasks
[os_glance_staging_store]
filesystem_store_datadir = $STATE/glance/tmp/staging
[oslo_concurrency]
lock_path = $STATE/glance/tmp
EOF
  cat > "$ETC/neutron/neutron.conf" <<EOF
[DEFAULT]
bind_host = $HOST
bind_port = 9696
core_plugin = ml2
service_plugins = router
auth_strategy = keystone
transport_url = $RABBIT_URL
api_workers = 0
rpc_workers = 0
rpc_state_report_workers = 0
notify_nova_on_port_status_changes = false
notify_nova_on_port_data_changes = true
api_paste_config = /etc/neutron/api-paste.ini
state_path = $STATE/neutron
log_file = $LOG/neutron-server.log
[database]
connection = $DB/neutron?charset=utf8
$(authtoken neutron)
[nova]
$(service_client nova)
[oslo_concurrency]
lock_path = $STATE/neutron/tmp
[agent]
root_helper = /bin/false
EOF
  cat > "$ETC/neutron/ml2_conf.ini" <<EOF
[ml2]
type_drivers = flat
tenant_network_types =
mechanism_drivers = fake_agent
extension_drivers = port_security
[ml2_type_flat]
flat_networks = *
[securitygroup]
enable_security_group = true
EOF
  cat > "$ETC/nova/nova.conf" <<EOF
[DEFAULT]
host = openstack-lite
my_ip = $HOST
state_path = $STATE/nova
instances_path = $STATE/nova/instances
transport_url = $RABBIT_URL
compute_driver = fake.FakeDriver
enabled_apis = osapi_compute
osapi_compute_listen = $HOST
heal_instance_info_cache_interval = -1
[api]
auth_strategy = keystone
[api_database]
connection = $DB/nova_api?charset=utf8
[database]
connection = $DB/nova?charset=utf8
$(authtoken nova)
[placement]
$(service_client placement)
[neutron]
$(service_client neutron)
[glance]
region_name = $REGION
[conductor]
workers = 1
[scheduler]
workers = 1
discover_hosts_in_cells_interval = 5
[oslo_concurrency]
lock_path = $STATE/nova/tmp
[wsgi]
api_paste_config = $ETC/nova/api-paste.ini
[oslo_messaging_notifications]
driver = noop
EOF
  cp /etc/nova/api-paste.ini "$ETC/nova/api-paste.ini"
  # nova-compute from python3-nova: the nova-compute package would pull in qemu and libvirt, which the fake
  # driver does not use
  printf '#!/usr/bin/python3\nimport sys\nfrom nova.cmd.compute import main\nsys.exit(main())\n' > "$BASE/bin/nova-compute"
  chmod 755 "$BASE/bin/nova-compute"
}

sync_databases() {  # first run only
  local ks=(keystone-manage --config-file "$ETC/keystone/keystone.conf") nm=(nova-manage --config-file "$ETC/nova/nova.conf")
  { "${ks[@]}" db_sync &&
    "${ks[@]}" fernet_setup --keystone-user root --keystone-group root &&
    "${ks[@]}" credential_setup --keystone-user root --keystone-group root &&
    "${ks[@]}" bootstrap --bootstrap-password "$PW" --bootstrap-project-name admin --bootstrap-username admin \
        --bootstrap-admin-url "$KS_URL" --bootstrap-internal-url "$KS_URL" --bootstrap-public-url "$KS_URL" \
        --bootstrap-region-id "$REGION"; } > "$LOG/dbsync-keystone.log" 2>&1 &
  local p0=$!
  placement-manage --config-file "$ETC/placement/placement.conf" db sync > "$LOG/dbsync-placement.log" 2>&1 &
  local p1=$!
  glance-manage --config-file "$ETC/glance/glance-api.conf" db_sync > "$LOG/dbsync-glance.log" 2>&1 &
  local p2=$!
  neutron-db-manage --config-file "$ETC/neutron/neutron.conf" --config-file "$ETC/neutron/ml2_conf.ini" \
      upgrade heads > "$LOG/dbsync-neutron.log" 2>&1 &
  local p3=$!
  { "${nm[@]}" api_db sync &&
    "${nm[@]}" cell_v2 map_cell0 --database_connection "$DB/nova_cell0?charset=utf8" &&
    { "${nm[@]}" cell_v2 list_cells 2> /dev/null | grep -q ' cell1 ' || "${nm[@]}" cell_v2 create_cell --name=cell1; } &&
    "${nm[@]}" db sync; } > "$LOG/dbsync-nova.log" 2>&1 &
  local p4=$! p name bad=""
  for p in "$p0:keystone" "$p1:placement" "$p2:glance" "$p3:neutron" "$p4:nova"; do
    name=${p#*:}
    wait "${p%%:*}" || bad+=" $name"
  done
  [ -z "$bad" ] || fail "the database schema of${bad} could not be created." $(for n in $bad; do echo "$LOG/dbsync-$n.log"; done)
  touch "$STATE/.dbsynced"
}

UWSGI=(uwsgi --plugin python3 --master --die-on-term --enable-threads --thunder-lock --lazy-apps --no-orphans
       --buffer-size 65535 --listen 100 --need-app --add-header "Connection: close")

start_identity_image_network() {
  start_bg keystone "${UWSGI[@]}" --http-socket $HOST:5000 --processes 1 --threads 4 --procname-prefix keystone- \
      --env OS_KEYSTONE_CONFIG_DIR="$ETC/keystone" --wsgi-file /usr/bin/keystone-wsgi-public
  start_bg placement "${UWSGI[@]}" --http-socket $HOST:8778 --processes 1 --threads 4 --procname-prefix placement- \
      --env OS_PLACEMENT_CONFIG_DIR="$ETC/placement" --wsgi-file /usr/bin/placement-api
  start_bg glance-api glance-api --config-file "$ETC/glance/glance-api.conf"
  start_bg neutron-server neutron-server --config-file "$ETC/neutron/neutron.conf" --config-file "$ETC/neutron/ml2_conf.ini"
}

start_nova_api() {
  start_bg nova-api "${UWSGI[@]}" --http-socket $HOST:8774 --processes 2 --threads 1 --procname-prefix nova-api- \
      --env OS_NOVA_CONFIG_DIR="$ETC/nova" --wsgi-file /usr/bin/nova-api-wsgi
}

start_nova_workers() {
  # Both check their Placement credentials as they start: Keystone not answering yet is fine, an unknown user
  # (401, before the first run's Keystone users exist) makes them exit.
  start_bg nova-conductor nova-conductor --config-file "$ETC/nova/nova.conf" --log-file "$LOG/nova-conductor.log"
  start_bg nova-scheduler nova-scheduler --config-file "$ETC/nova/nova.conf" --log-file "$LOG/nova-scheduler.log"
}

rpc_consumers() {  # rpc_consumers QUEUE: how many processes consume QUEUE in RabbitMQ (0 if there is no such queue)
  python3 - "$1" "$PW" << 'PY' 2> /dev/null || echo 0
import sys, amqp
c = amqp.Connection("127.0.0.1:5672", userid="openstack", password=sys.argv[2], connect_timeout=5)
c.connect()
try:
    print(c.channel().queue_declare(sys.argv[1], passive=True).consumer_count)
except amqp.exceptions.NotFound:
    print(0)
PY
}

wait_consumer() {  # wait_consumer QUEUE SECONDS SERVICE: until SERVICE listens to its RPC queue
  local i t0; t0=$(date +%s)
  while [ "$(rpc_consumers "$1")" = 0 ]; do
    running "$3" || fail "$3 exited." "$LOG/$3.log" "$LOG/$3.out"
    [ $(( $(date +%s) - t0 )) -lt "$2" ] || fail "$3 did not consume its RabbitMQ queue $1 within $2 s." "$LOG/$3.log" "$LOG/$3.out"
    sleep 0.5
  done
}

start_nova_compute() {
  # RabbitMQ keeps no queue across its restart: started before the conductor consumes its queue, nova-compute's
  # first call to it gets lost and costs a 10 s timeout
  wait_consumer conductor 120 nova-conductor
  start_bg nova-compute "$BASE/bin/nova-compute" --config-file "$ETC/nova/nova.conf" --log-file "$LOG/nova-compute.log"
}

# --- Keystone contents: every start makes sure they are there (a GET each; created only when missing)
find_id() {  # find_id URL COLLECTION: the id of the only/first entry, or nothing
  api GET "$1" | jq -r --arg c "$2" '.[$c][0].id // empty'
}
ensure_project() {
  local id; id=$(find_id "$KS_URL/projects?name=$1&domain_id=default" projects)
  [ -n "$id" ] || id=$(api POST "$KS_URL/projects" "$(jq -cn --arg n "$1" '{project: {name: $n, domain_id: "default"}}')" | jq -r .project.id)
  echo "$id"
}
ensure_user() {
  local id; id=$(find_id "$KS_URL/users?name=$1&domain_id=default" users)
  [ -n "$id" ] || id=$(api POST "$KS_URL/users" "$(jq -cn --arg n "$1" --arg p "$PW" '{user: {name: $n, domain_id: "default", password: $p}}')" | jq -r .user.id)
  echo "$id"
}
ensure_role() {
  local id; id=$(find_id "$KS_URL/roles?name=$1" roles)
  [ -n "$id" ] || id=$(api POST "$KS_URL/roles" "$(jq -cn --arg n "$1" '{role: {name: $n}}')" | jq -r .role.id)
  echo "$id"
}
grant() { api PUT "$KS_URL/projects/$1/users/$2/roles/$3" > /dev/null; }  # grant PROJECT USER ROLE (idempotent)

ensure_identity() {
  admin_token
  local service jenkins admin member service_role u uid
  service=$(ensure_project service); jenkins=$(ensure_project jenkins)
  member=$(ensure_role member); admin=$(ensure_role admin); service_role=$(ensure_role service)
  uid=$(ensure_user jenkins); grant "$jenkins" "$uid" "$member"
  for u in nova placement glance neutron; do
    uid=$(ensure_user $u); grant "$service" "$uid" "$admin"; grant "$service" "$uid" "$service_role"
  done
  local spec type name url sid have
  have=$(api GET "$KS_URL/services")
  for spec in "compute nova $NOVA_URL" "placement placement $PLACEMENT_URL" "image glance $GLANCE_URL" \
              "network neutron $NEUTRON_URL"; do
    read -r type name url <<< "$spec"
    sid=$(jq -r --arg t "$type" '[.services[] | select(.type == $t)][0].id // empty' <<< "$have")
    [ -n "$sid" ] || sid=$(api POST "$KS_URL/services" "$(jq -cn --arg t "$type" --arg n "$name" '{service: {type: $t, name: $n}}')" | jq -r .service.id)
    for iface in public internal; do
      [ -n "$(find_id "$KS_URL/endpoints?service_id=$sid&interface=$iface" endpoints)" ] ||
        api POST "$KS_URL/endpoints" "$(jq -cn --arg s "$sid" --arg i "$iface" --arg u "$url" --arg r "$REGION" \
            '{endpoint: {service_id: $s, interface: $i, url: $u, region_id: $r}}')" > /dev/null
    done
  done
  JENKINS_PROJECT_ID=$jenkins
  touch "$STATE/.catalog"
}

# --- after all services answer
warm_up_neutron() {  # GET /v2.0/ports answers 500 until some other query has configured Neutron's ORM mappers
  local i
  for ((i = 0; i < 30; i++)); do
    curl -s -o /dev/null -m 30 -H "X-Auth-Token: $TOKEN" "$NEUTRON_URL/v2.0/networks" || true
    [ "$(status_of GET "$NEUTRON_URL/v2.0/ports")" = 200 ] && return 0
    sleep 1
  done
  fail "Neutron still answers GET /v2.0/ports with an error after 30 s." "$LOG/neutron-server.log"
}

wait_compute() {  # nova-compute registered and up, its host mapped to cell1, its resource provider in Placement
  local i state=0 rps
  # Its RPC queue gets a consumer after init_host. A boot scheduled before (the last heartbeat of a compute
  # stopped less than a minute ago still counts as up) is set to ERROR by init_host as "stuck in BUILDING".
  wait_consumer compute.openstack-lite 120 nova-compute
  for ((i = 0; i < 120; i++)); do
    state=$(api GET "$NOVA_URL/os-services?binary=nova-compute" | jq -r '[.services[] | select(.state == "up")] | length') || state=0
    [ "$state" -gt 0 ] && break
    running nova-compute || fail "nova-compute exited." "$LOG/nova-compute.log" "$LOG/nova-compute.out"
    sleep 1
  done
  [ "$state" -gt 0 ] || fail "nova-compute did not report up to Nova within 120 s." "$LOG/nova-compute.log" "$LOG/nova-conductor.log"
  if [ ! -f "$STATE/.hosts-discovered" ]; then
    nova-manage --config-file "$ETC/nova/nova.conf" cell_v2 discover_hosts > "$LOG/discover-hosts.log" 2>&1 ||
      fail "nova-manage cell_v2 discover_hosts failed." "$LOG/discover-hosts.log"
    touch "$STATE/.hosts-discovered"
  fi
  for ((i = 0; i < 60; i++)); do
    rps=$(api GET "$PLACEMENT_URL/resource_providers" | jq '.resource_providers | length') || rps=0
    [ "$rps" -gt 0 ] && return 0
    sleep 1
  done
  fail "nova-compute did not register its resource provider in Placement within 60 s." "$LOG/nova-compute.log" "$LOG/placement.log"
}

ensure_flavor() {  # ensure_flavor ID NAME VCPUS RAM_MB DISK_GB
  local name
  if [ "$(status_of GET "$NOVA_URL/flavors/$1")" = 200 ]; then
    name=$(api GET "$NOVA_URL/flavors/$1" | jq -r .flavor.name)
    [ "$name" = "$2" ] || fail "flavor id $1 is named $name, not $2: reset the stack (openstack-lite.sh reset)."
    return 0
  fi
  api POST "$NOVA_URL/flavors" "$(jq -cn --arg id "$1" --arg n "$2" --argjson c "$3" --argjson r "$4" --argjson d "$5" \
      '{flavor: {id: $id, name: $n, vcpus: $c, ram: $r, disk: $d, "os-flavor-access:is_public": true}}')" > /dev/null
}

ensure_image() {  # IMAGE_ID of the active public fake-image; uploaded (64 KiB of zeros) when missing
  IMAGE_ID=$(api GET "$GLANCE_URL/v2/images?name=$IMAGE_NAME&status=active" | jq -r '.images[0].id // empty')
  [ -z "$IMAGE_ID" ] || return 0
  local id
  for id in $(api GET "$GLANCE_URL/v2/images?name=$IMAGE_NAME" | jq -r '.images[].id'); do  # half-uploaded ones
    api DELETE "$GLANCE_URL/v2/images/$id" > /dev/null
  done
  truncate -s 64K "$STATE/fake-image.raw"
  IMAGE_ID=$(api POST "$GLANCE_URL/v2/images" "$(jq -cn --arg n "$IMAGE_NAME" \
      '{name: $n, disk_format: "raw", container_format: "bare", visibility: "public"}')" | jq -r .id)
  curl -sS -f -m 60 -X PUT -H "X-Auth-Token: $TOKEN" -H 'Content-Type: application/octet-stream' \
      --data-binary @"$STATE/fake-image.raw" "$GLANCE_URL/v2/images/$IMAGE_ID/file" ||
    fail "Glance did not take the upload of $IMAGE_NAME." "$LOG/glance-api.log"
}

ensure_fake_agent() {  # an "alive" agent row the fake_agent mechanism driver binds ports to (no process behind it);
                      # unique on agent_type + host: a row of an earlier start gets this start's physnets
  local mappings
  mappings=$(jq -cn '$ARGS.positional | map({key: ., value: "lo"}) | from_entries | {interface_mappings: .}' \
      --args "${PHYSNETS[@]}")
  mysql_root -e "INSERT INTO neutron.agents (id,agent_type,\`binary\`,topic,host,admin_state_up,created_at,
    started_at,heartbeat_timestamp,configurations,\`load\`,resources_synced) VALUES (UUID(),'OFA driver agent',
    'neutron-fake-agent','N/A','openstack-lite',1,UTC_TIMESTAMP(),UTC_TIMESTAMP(),'2099-12-31 00:00:00',
    '$mappings',0,1) ON DUPLICATE KEY UPDATE configurations = VALUES(configurations),
    heartbeat_timestamp = VALUES(heartbeat_timestamp), admin_state_up = 1;"
}

NETWORKS="" SUBNETS=""
ensure_network() {  # ensure_network VAR NAME PROJECT PHYSNET CIDR SUBNET_NAME [external]: a flat network with one
                    # subnet (DHCP off, gateway .0.1); sets VAR to its id and VAR_SUBNET to its subnet's id.
                    # Looks in $NETWORKS and $SUBNETS (read once for all); creates what is missing.
  local var=$1 name=$2 project=$3 physnet=$4 cidr=$5 subnet_name=$6 external=false net sub gateway=${5%.0/16}.1
  [ "${7:-}" != external ] || external=true
  net=$(jq -r --arg n "$name" '[.networks[] | select(.name == $n)][0].id // empty' <<< "$NETWORKS")
  if [ -z "$net" ]; then
    net=$(api POST "$NEUTRON_URL/v2.0/networks" "$(jq -cn --arg n "$name" --arg p "$project" --arg ph "$physnet" \
        --argjson x "$external" '{network: {name: $n, project_id: $p, "provider:network_type": "flat",
          "provider:physical_network": $ph, "router:external": $x}}')" | jq -r .network.id)
    echo "created network $name ($net) on $physnet"
  fi
  sub=$(jq -r --arg n "$net" '[.subnets[] | select(.network_id == $n)][0].id // empty' <<< "$SUBNETS")
  if [ -z "$sub" ]; then
    sub=$(api POST "$NEUTRON_URL/v2.0/subnets" "$(jq -cn --arg net "$net" --arg p "$project" --arg c "$cidr" \
        --arg g "$gateway" --arg n "$subnet_name" '{subnet: {network_id: $net, project_id: $p, ip_version: 4,
          cidr: $c, gateway_ip: $g, enable_dhcp: false, name: $n}}')" | jq -r .subnet.id)
  fi
  printf -v "$var" %s "$net"
  printf -v "${var}_SUBNET" %s "$sub"
}

ensure_networks() {  # the networks of the header comment, and the router that makes agents-ext's floating IPs
                     # reach agents-net; on a warm restart 4 GETs
  local admin_project r rid
  admin_project=$(find_id "$KS_URL/projects?name=admin&domain_id=default" projects)
  NETWORKS=$(api GET "$NEUTRON_URL/v2.0/networks?name=$AGENTS_NET&name=$AGENTS_NET_2&name=$AGENTS_EXT&fields=id&fields=name")
  SUBNETS=$(api GET "$NEUTRON_URL/v2.0/subnets?fields=id&fields=network_id")
  ensure_network AGENTS_NET_ID "$AGENTS_NET" "$JENKINS_PROJECT_ID" physnet1 127.10.0.0/16 agents-subnet
  local left
  for left in $(jq -r --arg n "$AGENTS_NET_2" '.networks[] | select(.name == $n) | .id' <<< "$NETWORKS"); do
    api DELETE "$NEUTRON_URL/v2.0/networks/$left" > /dev/null && echo "deleted network $AGENTS_NET_2 ($left) a test left"
  done
  ensure_network AGENTS_EXT_ID "$AGENTS_EXT" "$admin_project" physnet3 127.20.0.0/16 agents-ext-subnet external
  r=$(api GET "$NEUTRON_URL/v2.0/routers?name=$AGENTS_ROUTER" | jq -c '.routers[0] // empty')
  if [ -z "$r" ]; then
    r=$(api POST "$NEUTRON_URL/v2.0/routers" "$(jq -cn --arg n "$AGENTS_ROUTER" --arg p "$JENKINS_PROJECT_ID" \
        --arg x "$AGENTS_EXT_ID" '{router: {name: $n, project_id: $p, external_gateway_info: {network_id: $x}}}')" \
        | jq -c .router)
    echo "created router $AGENTS_ROUTER ($(jq -r .id <<< "$r"))"
  elif [ "$(jq -r '.external_gateway_info.network_id // empty' <<< "$r")" != "$AGENTS_EXT_ID" ]; then
    api PUT "$NEUTRON_URL/v2.0/routers/$(jq -r .id <<< "$r")" "$(jq -cn --arg x "$AGENTS_EXT_ID" \
        '{router: {external_gateway_info: {network_id: $x}}}')" > /dev/null
  fi
  rid=$(jq -r .id <<< "$r")
  if [ "$(api GET "$NEUTRON_URL/v2.0/ports?device_id=$rid&network_id=$AGENTS_NET_ID&fields=id" | jq '.ports | length')" = 0 ]; then
    api PUT "$NEUTRON_URL/v2.0/routers/$rid/add_router_interface" \
        "$(jq -cn --arg s "$AGENTS_NET_ID_SUBNET" '{subnet_id: $s}')" > /dev/null
  fi
  AGENTS_ROUTER_ID=$rid
}

ensure_compute_resources() {
  ensure_fake_agent
  ensure_networks
  ensure_flavor 1 m1.small 1 512 1
  ensure_flavor 2 m1.medium 2 1024 1
  ensure_image
  api PUT "$NOVA_URL/os-quota-sets/$JENKINS_PROJECT_ID" "$(jq -cn --argjson i $QUOTA_INSTANCES --argjson c $QUOTA_CORES \
      --argjson r $QUOTA_RAM_MB '{quota_set: {instances: $i, cores: $c, ram: $r}}')" > /dev/null
}

ensure_application_credential() {  # created once; its id and secret are kept in $STATE/appcred
  if [ -f "$STATE/appcred" ]; then
    read -r APPCRED_ID APPCRED_SECRET < "$STATE/appcred"
    issue_token "$(appcred_auth "$APPCRED_ID" "$APPCRED_SECRET")" > /dev/null && return 0
    echo "the kept application credential no longer authenticates: creating it again"
  fi
  local jt uid old
  jt=$(issue_token "$(password_auth jenkins jenkins)") || fail "Keystone refused the password of user jenkins."
  uid=$(api GET "$KS_URL/users?name=jenkins&domain_id=default" | jq -r '.users[0].id')  # as admin
  for old in $(TOKEN=$jt api GET "$KS_URL/users/$uid/application_credentials?name=$APPCRED_NAME" | jq -r '.application_credentials[].id'); do
    TOKEN=$jt api DELETE "$KS_URL/users/$uid/application_credentials/$old" > /dev/null
  done
  local created
  created=$(TOKEN=$jt api POST "$KS_URL/users/$uid/application_credentials" "$(jq -cn --arg n "$APPCRED_NAME" \
      '{application_credential: {name: $n, description: "OpenStack Agents plugin integration tests"}}')")
  APPCRED_ID=$(jq -r .application_credential.id <<< "$created")
  APPCRED_SECRET=$(jq -r .application_credential.secret <<< "$created")
  echo "$APPCRED_ID $APPCRED_SECRET" > "$STATE/appcred"  # readable, like the properties file: a loopback test rig
}

smoke_boot() {  # one server booted and deleted, as admin in project admin (the jenkins project stays untouched)
  local id s st fault i t0 tries=0
  for id in $(api GET "$NOVA_URL/servers?name=%5Eopenstack-lite-smoke" | jq -r '.servers[].id'); do
    api DELETE "$NOVA_URL/servers/$id" > /dev/null || true
  done
  while :; do
    t0=$(date +%s%N)
    id=$(api POST "$NOVA_URL/servers" "$(jq -cn --arg img "$IMAGE_ID" \
        '{server: {name: "openstack-lite-smoke", imageRef: $img, flavorRef: "1", networks: "none"}}')" | jq -r .server.id)
    for ((i = 0; i < 600; i++)); do
      s=$(api GET "$NOVA_URL/servers/$id"); st=$(jq -r .server.status <<< "$s")
      [ "$st" = BUILD ] || break
      sleep 0.1
    done
    [ "$st" = ACTIVE ] && break
    fault=$(jq -r '.server.fault.message // "no fault"' <<< "$s")
    api DELETE "$NOVA_URL/servers/$id" > /dev/null || true
    # right after a first start the scheduler may not see the compute host yet: "No valid host was found"
    if (( ++tries < 6 )); then echo "test server went $st ($fault); again in 5 s"; sleep 5; continue; fi
    fail "a test server did not boot: it went $st ($fault)." "$LOG/nova-compute.log" "$LOG/nova-conductor.log" "$LOG/nova-scheduler.log"
  done
  echo "test server ACTIVE in $(secs "$t0" "$(date +%s%N)") s"
  t0=$(date +%s%N)
  api DELETE "$NOVA_URL/servers/$id" > /dev/null
  for ((i = 0; i < 600; i++)); do [ "$(status_of GET "$NOVA_URL/servers/$id")" = 404 ] && break; sleep 0.1; done
  [ "$(status_of GET "$NOVA_URL/servers/$id")" = 404 ] || fail "the test server $id was not deleted within 60 s." "$LOG/nova-compute.log"
  echo "test server deleted (404) in $(secs "$t0" "$(date +%s%N)") s"
}

# --- health, as the tests will use the stack
check_health() {  # returns 1 with the reason in UNHEALTHY; sets IMAGE_ID, JENKINS_PROJECT_ID, APPCRED_*
  UNHEALTHY=""
  local s
  for s in "${SERVICES[@]}"; do running "$s" || { UNHEALTHY="$s is not running"; return 1; }; done
  [ "$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$KS_URL")" = 200 ] || { UNHEALTHY="Keystone does not answer $KS_URL"; return 1; }
  TOKEN=$(issue_token "$(password_auth admin admin)") || { UNHEALTHY="Keystone refuses the admin password"; return 1; }
  JENKINS_PROJECT_ID=$(find_id "$KS_URL/projects?name=jenkins&domain_id=default" projects 2> /dev/null) || true
  [ -n "$JENKINS_PROJECT_ID" ] || { UNHEALTHY="project jenkins is missing"; return 1; }
  [ -f "$STATE/appcred" ] && read -r APPCRED_ID APPCRED_SECRET < "$STATE/appcred" || { UNHEALTHY="no application credential kept"; return 1; }
  issue_token "$(appcred_auth "$APPCRED_ID" "$APPCRED_SECRET")" > /dev/null || { UNHEALTHY="Keystone refuses the application credential"; return 1; }
  local jt limits
  jt=$(issue_token "$(password_auth jenkins jenkins)") || { UNHEALTHY="Keystone refuses the password of user jenkins"; return 1; }
  limits=$(TOKEN=$jt api GET "$NOVA_URL/limits" 2> /dev/null | jq -c '.limits.absolute') || { UNHEALTHY="Nova does not answer GET /limits"; return 1; }
  [ "$(jq -r '"\(.maxTotalInstances) \(.maxTotalCores) \(.maxTotalRAMSize)"' <<< "$limits")" = "$QUOTA_INSTANCES $QUOTA_CORES $QUOTA_RAM_MB" ] ||
    { UNHEALTHY="the jenkins project's quota is not $QUOTA_INSTANCES instances, $QUOTA_CORES cores, $QUOTA_RAM_MB MB: $limits"; return 1; }
  [ "$(api GET "$NOVA_URL/os-services?binary=nova-compute" 2> /dev/null | jq -r '.services[0].state')" = up ] ||
    { UNHEALTHY="nova-compute is not up"; return 1; }
  [ "$(status_of GET "$NOVA_URL/flavors/1")" = 200 ] && [ "$(status_of GET "$NOVA_URL/flavors/2")" = 200 ] ||
    { UNHEALTHY="flavor 1 or 2 is missing"; return 1; }
  IMAGE_ID=$(api GET "$GLANCE_URL/v2/images?name=$IMAGE_NAME&status=active" 2> /dev/null | jq -r '.images[0].id // empty') || true
  [ -n "$IMAGE_ID" ] || { UNHEALTHY="Glance has no active $IMAGE_NAME"; return 1; }
  [ "$(status_of GET "$NEUTRON_URL/v2.0/ports")" = 200 ] || { UNHEALTHY="Neutron does not answer GET /v2.0/ports"; return 1; }
  local nets n
  nets=$(api GET "$NEUTRON_URL/v2.0/networks?name=$AGENTS_NET&name=$AGENTS_NET_2&name=$AGENTS_EXT&fields=id&fields=name" 2> /dev/null) ||
    { UNHEALTHY="Neutron does not answer GET /v2.0/networks"; return 1; }
  ! jq -e --arg n "$AGENTS_NET_2" 'any(.networks[]; .name == $n)' <<< "$nets" > /dev/null ||
    { UNHEALTHY="network $AGENTS_NET_2 a test left (project jenkins would have no default network)"; return 1; }
  for n in "$AGENTS_NET" "$AGENTS_EXT"; do
    jq -e --arg n "$n" 'any(.networks[]; .name == $n)' <<< "$nets" > /dev/null || { UNHEALTHY="network $n is missing"; return 1; }
  done
  AGENTS_NET_ID=$(jq -r --arg n "$AGENTS_NET" '.networks[] | select(.name == $n) | .id' <<< "$nets")
  AGENTS_EXT_ID=$(jq -r --arg n "$AGENTS_EXT" '.networks[] | select(.name == $n) | .id' <<< "$nets")
  AGENTS_ROUTER_ID=$(api GET "$NEUTRON_URL/v2.0/routers?name=$AGENTS_ROUTER&fields=id&fields=external_gateway_info" 2> /dev/null |
      jq -r --arg x "$AGENTS_EXT_ID" '[.routers[] | select(.external_gateway_info.network_id == $x)][0].id // empty') || true
  [ -n "$AGENTS_ROUTER_ID" ] || { UNHEALTHY="router $AGENTS_ROUTER with its gateway on $AGENTS_EXT is missing"; return 1; }
}

jenkins_servers() {  # how many servers the jenkins project holds (as admin)
  api GET "$NOVA_URL/servers?all_tenants=1&project_id=$JENKINS_PROJECT_ID" | jq '.servers | length'
}

write_properties() {
  cat > "$PROPS.tmp" <<EOF
# The local OpenStack for the integration tests, written by src/test/openstack/openstack-lite.sh start
# (read by io.jenkins.plugins.openstackagents.LocalOpenStack). Test rig on 127.0.0.1 only.
authUrl=$KS_URL
region=$REGION
domain=Default
username=jenkins
password=$PW
project=jenkins
projectId=$JENKINS_PROJECT_ID
adminUsername=admin
adminPassword=$PW
adminProject=admin
appCredName=$APPCRED_NAME
appCredId=$APPCRED_ID
appCredSecret=$APPCRED_SECRET
imageId=$IMAGE_ID
imageName=$IMAGE_NAME
flavorSmall=1
flavorSmallName=m1.small
flavorMedium=2
flavorMediumName=m1.medium
quotaInstances=$QUOTA_INSTANCES
quotaCores=$QUOTA_CORES
quotaRamMb=$QUOTA_RAM_MB
novaUrl=$NOVA_URL
novaMicroversion=$NOVA_MV
glanceUrl=$GLANCE_URL
neutronUrl=$NEUTRON_URL
placementUrl=$PLACEMENT_URL
network.id=$AGENTS_NET_ID
network.name=$AGENTS_NET
network.external.id=$AGENTS_EXT_ID
network.external.name=$AGENTS_EXT
router.id=$AGENTS_ROUTER_ID
logDir=$LOG
EOF
  chmod 644 "$PROPS.tmp"
  mv -f "$PROPS.tmp" "$PROPS"
}

write_openrc() {  # for people: . $BASE/admin-openrc; openstack server list --all-projects
  local who
  for who in admin jenkins; do
    cat > "$BASE/$who-openrc" <<EOF
export PATH=/usr/sbin:/usr/bin:/sbin:/bin OS_AUTH_URL=$KS_URL OS_IDENTITY_API_VERSION=3 OS_REGION_NAME=$REGION
export OS_USER_DOMAIN_NAME=Default OS_PROJECT_DOMAIN_NAME=Default OS_INTERFACE=public
export OS_USERNAME=$who OS_PASSWORD=$PW OS_PROJECT_NAME=$who OS_COMPUTE_API_VERSION=$NOVA_MV
export no_proxy=127.0.0.1,localhost
EOF
  done
}

note_leftovers() {
  local n; n=$(jenkins_servers)
  [ "$n" = 0 ] || echo "NOTE: project jenkins holds $n server(s), left by an earlier run? Tests that expect it empty" \
      "will fail; 'bash $0 clean' deletes them."
}

# ------------------------------------------------------------------------------------------------ commands
cmd_start() {
  need_root "$@"
  lock
  mkdir -p "$ETC"/{keystone,nova,placement,glance,neutron,rabbitmq} "$LOG" "$RUN" "$STATE"
  touch "$BASE/.openstack-lite"
  chmod 755 "$BASE" "$STATE" "$RUN"

  local s any=""
  for s in "${SERVICES[@]}"; do running "$s" && any=1; done
  if [ -n "$any" ]; then
    phase "already running: checking health"
    if check_health; then
      write_properties
      note_leftovers
      phase done
      echo "openstack-lite: running and healthy (checked in $(secs "$T0" "$(date +%s%N)") s); properties: $PROPS"
      return 0
    fi
    echo "not healthy ($UNHEALTHY): restarting"
    stop_all
  fi

  local kind="warm restart"
  [ -f "$STATE/.dbsynced" ] || kind="first run"
  echo "openstack-lite: start ($kind), state in $BASE"
  phase "packages" "$LOG/apt.log"
  ensure_packages
  echo "versions: $(dpkg-query -W -f='${Package}=${Version} ' keystone python3-nova python3-placement glance-api \
      python3-neutron rabbitmq-server mariadb-server 2> /dev/null)"
  grep -q '^12' /etc/debian_version 2> /dev/null || echo "NOTE: not Debian 12 ($(cat /etc/debian_version 2> /dev/null)); made for Debian 12's OpenStack Zed"
  check_ports_free

  phase "mariadb" "$LOG/mariadb.log"
  start_mariadb
  phase "rabbitmq" "$LOG/rabbitmq.out" "$LOG/epmd.out"
  start_rabbitmq
  phase "configuration"
  write_configs
  write_openrc
  if [ ! -f "$STATE/.dbsynced" ]; then
    phase "database schemas (first run)" "$LOG/dbsync-keystone.log" "$LOG/dbsync-nova.log"
    sync_databases
  fi

  phase "keystone, placement, glance, neutron, nova" "$LOG/keystone.out" "$LOG/keystone.log"
  start_identity_image_network
  start_nova_api
  local users_known=""
  if [ -f "$STATE/.catalog" ]; then users_known=1; start_nova_workers; fi
  wait_port 5000 60 keystone
  wait_http "$KS_URL" 60 keystone
  phase "keystone: projects, users, roles, catalog"
  ensure_identity
  phase "nova-compute" "$LOG/nova-conductor.log" "$LOG/nova-conductor.out"
  [ -n "$users_known" ] || start_nova_workers
  start_nova_compute  # after the catalog: it reports to Placement as it starts
  phase "waiting for the APIs" "$LOG/placement.out" "$LOG/glance-api.log" "$LOG/neutron-server.log" "$LOG/nova-api.out"
  wait_port 8778 90 placement;      wait_http "$PLACEMENT_URL/" 60 placement
  wait_port 9292 90 glance-api;     wait_http "$GLANCE_URL/" 60 glance-api
  wait_port 9696 90 neutron-server; wait_http "$NEUTRON_URL/" 60 neutron-server
  warm_up_neutron
  wait_port 8774 90 nova-api;       wait_http "$NOVA_URL/" 60 nova-api
  phase "waiting for nova-compute" "$LOG/nova-compute.log" "$LOG/nova-compute.out" "$LOG/nova-conductor.log"
  wait_compute
  phase "flavors, image, quota"
  ensure_compute_resources
  phase "application credential"
  ensure_application_credential
  phase "test server" "$LOG/nova-compute.log" "$LOG/nova-conductor.log" "$LOG/nova-scheduler.log"
  smoke_boot
  phase "health"
  check_health || fail "the stack started but is not healthy: $UNHEALTHY."
  write_properties
  note_leftovers
  phase done
  local t summary=""
  for t in "${TIMINGS[@]}"; do summary+="${summary:+; }$t"; done
  echo "openstack-lite: started ($kind) in $(secs "$T0" "$(date +%s%N)") s ($summary)"
  echo "  Keystone $KS_URL  user jenkins/$PW  project jenkins  admin admin/$PW  region $REGION"
  echo "  properties $PROPS  logs $LOG  openrc $BASE/admin-openrc"
  echo "  stop: bash $0 stop"
}

cmd_stop() {
  need_root "$@"
  lock
  stop_all
}

cmd_status() {
  local s rec n=0 total=${#SERVICES[@]}
  echo "openstack-lite: state in $BASE"
  for s in "${SERVICES[@]}"; do
    if rec=$(recorded "$s"); then n=$((n + 1)); printf '  %-15s running, pid %s\n' "$s" "${rec%% *}"
    else printf '  %-15s stopped\n' "$s"; fi
  done
  REPORTED=1  # the exit status is the answer
  if [ $n = 0 ]; then echo "stopped"; exit 3; fi
  if check_health; then
    echo "healthy; jenkins project: $(jenkins_servers) server(s); properties: $PROPS"
  else
    echo "NOT healthy: $UNHEALTHY"; exit 1
  fi
}

cmd_reset() {
  need_root "$@"
  case $BASE in /*/*) ;; *) fail "OS_LITE_BASE=$BASE is not an absolute directory below /; refusing to wipe it." ;; esac
  if [ -d "$BASE" ] && [ ! -f "$BASE/.openstack-lite" ] && [ -n "$(ls -A "$BASE" 2> /dev/null | grep -vx .lock)" ]; then
    fail "$BASE does not look like openstack-lite state (no .openstack-lite in it); refusing to wipe it."
  fi
  lock
  stop_all
  find "$BASE" -mindepth 1 -maxdepth 1 ! -name .lock -exec rm -rf {} +
  echo "openstack-lite: wiped $BASE; the next start is a first run"
}

cmd_clean() {
  need_root "$@"
  lock
  check_health || fail "the stack is not healthy ($UNHEALTHY); start it first."
  local ids id i
  ids=$(api GET "$NOVA_URL/servers?all_tenants=1&project_id=$JENKINS_PROJECT_ID" | jq -r '.servers[].id')
  for id in $ids; do api DELETE "$NOVA_URL/servers/$id" > /dev/null || true; done
  for id in $ids; do
    for ((i = 0; i < 600; i++)); do [ "$(status_of GET "$NOVA_URL/servers/$id")" = 404 ] && break; sleep 0.1; done
  done
  echo "openstack-lite: project jenkins now holds $(jenkins_servers) server(s)"
}

case $CMD in
  start | stop | status | reset | clean) shift; "cmd_$CMD" "$@" ;;
  *) echo "usage: $0 start|stop|status|reset|clean   (state in \$OS_LITE_BASE, default /var/tmp/openstack-agents-lite)"
     REPORTED=1; exit 2 ;;
esac

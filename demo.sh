#!/usr/bin/env bash
# The out-of-the-box demo: a real OpenStack on 127.0.0.1 (src/test/openstack/openstack-lite.sh; needs root, installs
# Debian packages on first use), Jenkins with this plugin on http://localhost:8080/ (mvn hpi:run, home in ./work),
# configured against that OpenStack: cloud "local-openstack", template "demo" labelled "openstack" (single use),
# job "hello-openstack". Agents are SSH agents (the default): Nova's fake driver boots no operating system, so a
# guest emulator plays cloud-init and OpenSSH: for each agent server it starts an SSH daemon on the address Neutron
# gave the server's port (127.10.x.x) with the host key and login key of its user data; the controller connects
# there, checks the host key, copies the agent jar and starts the agent on this machine.
#
#   ./demo.sh           start everything; Ctrl-C stops Jenkins and the emulator (the OpenStack keeps running:
#                       bash src/test/openstack/openstack-lite.sh stop)
#   ./demo.sh --check   the same, then build the job once through the web UI's URL, check it ran on an
#                       OpenStack agent, and stop (used by CI to keep this command working)
set -euo pipefail
cd "$(dirname "$0")"

CHECK=0
[ "${1:-}" = "--check" ] && CHECK=1
PORT=${DEMO_PORT:-8080}
URL="http://127.0.0.1:$PORT/"
BASE=${OS_LITE_BASE:-/var/tmp/openstack-agents-lite}
PROPS="$BASE/openstack-lite.properties"
mkdir -p work
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "[demo] $*"; }

if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  say "port $PORT is in use: stop what listens there, or set DEMO_PORT"; exit 1
fi

say "starting the local OpenStack (first run: installs packages, about 4 minutes)"
OS_LITE_BASE="$BASE" bash src/test/openstack/openstack-lite.sh start

say "building the plugin and the guest emulator"
mvn -q -B test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/demo.classpath

# Each agent server has a disk of its own on a real cloud; here every guest runs on this machine, so the emulator
# gives each its own copy of the template's remote FS root (a mount namespace per guest; needs root).
AGENT_FS="$PWD/work/agent"
say "starting the guest emulator (log: work/guest-emulator.log)"
java -Dopenstack.lite.properties="$PROPS" -cp "target/test-classes:target/classes:$(cat target/demo.classpath)" \
  io.jenkins.plugins.openstackagents.NovaGuestEmulator work/guests "$AGENT_FS" > work/guest-emulator.log 2>&1 &
pids+=($!)

say "starting Jenkins on $URL (log: work/jenkins.log)"
# no update center and no tool installers: they would have the browser fetch data from hosts outside
mvn -B hpi:run -Djetty.port="$PORT" -Dhudson.model.UpdateCenter.never=true \
  -Dhudson.model.DownloadService.never=true > work/jenkins.log 2>&1 &
pids+=($!)
for i in $(seq 1 180); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$URL")" = 200 ] && break
  kill -0 "${pids[1]}" 2>/dev/null || { tail -30 work/jenkins.log; say "Jenkins did not start"; exit 1; }
  sleep 1
done

prop() { grep "^$1=" "$PROPS" | cut -d= -f2-; }
say "configuring the cloud, the template and the job"
# The script holds the application credential's secret: it goes to Jenkins through a pipe, never to a file.
setup_script() {
  cat <<EOF
import io.jenkins.plugins.openstackagents.*
def h = hudson.model.Hudson.instance
def template = new AgentTemplate("demo", "openstack", "$(prop flavorSmall)", "$(prop imageId)", "", "", "", "", "",
    1, "$AGENT_FS", 0, 0, 10, 5, 60, AgentTemplate.SSH, "jenkins", 22, null)
def cloud = new OpenStackCloud("local-openstack", "$(prop authUrl)", "$(prop region)", "", "", "", "$(prop domain)",
    "$(prop appCredId)", "$(prop appCredSecret)", true, 3, "$URL", 60, 5, 60, [template])
def old = h.clouds.getByName(cloud.name)
if (old != null) { h.clouds.remove(old) }
h.clouds.add(cloud)
h.save()
def job = h.getItem("hello-openstack") ?: h.createProject(hudson.model.FreeStyleProject, "hello-openstack")
job.setAssignedLabel(h.getLabel("openstack"))
job.buildersList.clear()
job.buildersList.add(new hudson.tasks.Shell('echo "Hello from \$NODE_NAME, an OpenStack server"; uname -a'))
job.save()
println "configured " + cloud.name
EOF
}
rm -f work/demo-setup.groovy # left by an earlier version of this script, with the secret in it
out=$(setup_script | curl -s --data-urlencode "script@-" "${URL}scriptText")
echo "$out" | grep -q "configured local-openstack" || { echo "$out"; say "configuration failed"; exit 1; }

if [ $CHECK = 0 ]; then
  say "ready: open ${URL}job/hello-openstack/ and click Build Now; an agent appears under ${URL}computer/"
  say "Ctrl-C stops Jenkins and the guest emulator"
  wait "${pids[1]}"
  exit 0
fi

# the build this check starts, not one an earlier run of the demo left in ./work
number=$(curl -s "${URL}job/hello-openstack/api/json?tree=nextBuildNumber" | sed 's/.*"nextBuildNumber":\([0-9]*\).*/\1/')
say "check: building hello-openstack #$number"
curl -s -o /dev/null -X POST "${URL}job/hello-openstack/build?delay=0sec"
result=""
for i in $(seq 1 180); do
  result=$(curl -s "${URL}job/hello-openstack/$number/api/json?tree=result,building" || true)
  case "$result" in *'"result":"SUCCESS"'*) break ;; *'"result":"FAILURE"'*|*'"result":"ABORTED"'*) break ;; esac
  sleep 1
done
log=$(curl -s "${URL}job/hello-openstack/$number/consoleText" || true)
echo "$log" | sed 's/^/[build] /'
if ! echo "$log" | grep -q "Hello from local-openstack-demo-" || ! echo "$result" | grep -q SUCCESS; then
  say "check failed: $result"; exit 1
fi
say "check: the build ran on an OpenStack agent; waiting for the single-use agent to be removed"
for i in $(seq 1 120); do
  curl -s "${URL}computer/api/json?tree=computer%5BdisplayName%5D" | grep -q local-openstack-demo- || break
  sleep 1
done
# Nova drops a deleted server a moment after the plugin asked: wait for that, as the plugin does
for i in $(seq 1 90); do
  left=$(OS_LITE_BASE="$BASE" bash src/test/openstack/openstack-lite.sh status | grep -i "server" | tail -1)
  case "$left" in *"jenkins project: 0 server(s)"*) break ;; esac
  sleep 1
done
echo "$left"
case "$left" in
  *"jenkins project: 0 server(s)"*) say "check passed: build on an OpenStack agent, its server deleted" ;;
  *) say "check failed: the plugin left a server behind"; exit 1 ;;
esac

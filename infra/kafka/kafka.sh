#!/usr/bin/env bash
# A real Apache Kafka broker (KRaft, broker and controller in one JVM) on 127.0.0.1, from Maven Central's jars.
# No Docker and no Kafka package needed: Java 17+, Maven and Node (with `npm ci` done, for kafkajs).
#
#   infra/kafka/kafka.sh fetch
#   infra/kafka/kafka.sh start [--port N] [--controller-port N] [--dir DIR]   # last stdout line: KAFKA_BROKERS=127.0.0.1:N
#   infra/kafka/kafka.sh restart [--dir DIR]    # same ports, same data: topics, offsets and groups survive
#   infra/kafka/kafka.sh stop [--dir DIR]
#   infra/kafka/kafka.sh status [--dir DIR]
#
# Environment:
#   CAPFLOW_KAFKA_HOME           cache root (default ~/.cache/capflow-kafka); the jars go to its libs/
#   CAPFLOW_KAFKA_M2             Maven local repository to use instead of ~/.m2/repository
#   CAPFLOW_KAFKA_READY_TIMEOUT  seconds `start` waits for the broker (default 90)
#   CAPFLOW_KAFKA_STOP_TIMEOUT   seconds `stop` waits after SIGTERM before SIGKILL (default 20)
#   CAPFLOW_KAFKA_HEAP           JVM heap flags (default "-Xms256m -Xmx768m")
#   CAPFLOW_KAFKA_LOG_LEVEL      root log level of the broker's log (default INFO)
#   CAPFLOW_KAFKA_EXTRA_CONFIG   lines appended to server.properties at start (e.g. group.min.session.timeout.ms=1000)
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
POM=$SCRIPT_DIR/pom.xml
CACHE=${CAPFLOW_KAFKA_HOME:-${HOME:-/tmp}/.cache/capflow-kafka}
LIBS=$CACHE/libs
DEFAULT_DIR=$CACHE/broker
READY_TIMEOUT=${CAPFLOW_KAFKA_READY_TIMEOUT:-90}
STOP_TIMEOUT=${CAPFLOW_KAFKA_STOP_TIMEOUT:-20}
HEAP=${CAPFLOW_KAFKA_HEAP:--Xms256m -Xmx768m}
LOG_LEVEL=${CAPFLOW_KAFKA_LOG_LEVEL:-INFO}
MARKER=.capflow-kafka # a directory holding this file was made by this script and may be wiped by it

log() { printf 'kafka.sh: %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}
need() { command -v "$1" >/dev/null 2>&1 || die "$1 is not on PATH ($2)"; }
usage() {
  sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# ---------------------------------------------------------------------------------------------- fetch

pom_hash() { sha256sum "$POM" | cut -c1-64; }

libs_complete() {
  local hash count n
  [ -f "$LIBS/.complete" ] || return 1
  read -r hash count <"$LIBS/.complete" || return 1
  [ "$hash" = "$(pom_hash)" ] || return 1
  n=$(find "$LIBS" -maxdepth 1 -name '*.jar' | wc -l)
  [ "$n" -eq "$count" ] || return 1
  compgen -G "$LIBS/kafka_2.13-*.jar" >/dev/null
}

cmd_fetch() {
  [ $# -eq 0 ] || usage
  need java 'install a JDK 17+'
  mkdir -p "$CACHE"
  # One fetch at a time per cache; the lock lives in a subshell so no later process (the broker) inherits it.
  (
    flock 9
    if libs_complete; then
      log "jars already present in $LIBS"
      exit 0
    fi
    need mvn 'install Maven 3.8+'
    local tmp started count
    tmp=$(mktemp -d "$CACHE/libs.tmp.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    started=$(date +%s)
    log "fetching the Kafka jars with Maven into $LIBS ..."
    local args=(-B -q -Dstyle.color=never -f "$POM" dependency:copy-dependencies -DincludeScope=runtime "-DoutputDirectory=$tmp")
    [ -z "${CAPFLOW_KAFKA_M2:-}" ] || args+=("-Dmaven.repo.local=$CAPFLOW_KAFKA_M2")
    # (Maven 3.8 prints stray colour resets even in batch mode: filtered out)
    mvn "${args[@]}" 2>&1 | sed 's/\x1b\[[0-9;]*m//g' >&2 || die "Maven could not fetch the jars of $POM (output above)"
    compgen -G "$tmp/kafka_2.13-*.jar" >/dev/null || die "Maven ran but no kafka_2.13 jar arrived in $tmp"
    count=$(find "$tmp" -maxdepth 1 -name '*.jar' | wc -l)
    printf '%s %s\n' "$(pom_hash)" "$count" >"$tmp/.complete"
    rm -rf "$LIBS"
    mv "$tmp" "$LIBS"
    trap - EXIT
    log "fetched $count jars ($(du -sh "$LIBS" | cut -f1)) in $(($(date +%s) - started)) s"
  ) 9>"$CACHE/.fetch.lock"
}

# ---------------------------------------------------------------------------------------------- helpers

# The pid of the broker started from DIR, if it is still that broker (checks the command line, not just the pid).
broker_pid() {
  local dir=$1 pid cmdline p
  if [ -f "$dir/kafka.pid" ]; then
    pid=$(cat "$dir/kafka.pid" 2>/dev/null || true)
    if [[ "$pid" =~ ^[0-9]+$ ]] && [ -r "/proc/$pid/cmdline" ]; then
      cmdline=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" || true)
      if [[ "$cmdline" == *kafka.Kafka*"$dir/server.properties"* ]]; then
        echo "$pid"
        return 0
      fi
    fi
  fi
  # pid file lost: look for a java whose command line names exactly this dir's server.properties
  for p in /proc/[0-9]*; do
    cmdline=$(tr '\0' ' ' 2>/dev/null <"$p/cmdline" || true)
    if [[ "$cmdline" == *" kafka.Kafka $dir/server.properties"* ]]; then
      echo "${p#/proc/}"
      return 0
    fi
  done
  return 1
}

alive() { kill -0 "$1" 2>/dev/null; }

# SIGTERM, then SIGKILL after STOP_TIMEOUT seconds; returns when the process is gone.
kill_broker() {
  local pid=$1 i
  alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < STOP_TIMEOUT * 5; i++)); do
    alive "$pid" || return 0
    sleep 0.2
  done
  log "broker $pid still up after ${STOP_TIMEOUT} s: SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    alive "$pid" || return 0
    sleep 0.1
  done
  die "broker $pid survived SIGKILL"
}

# N distinct free TCP ports on 127.0.0.1, asked of the OS (held together so they differ).
free_ports() {
  node -e '
    const net = require("node:net");
    const n = Number(process.argv[1]);
    const servers = [];
    let bound = 0;
    for (let i = 0; i < n; i++) {
      const s = net.createServer();
      servers.push(s);
      s.listen(0, "127.0.0.1", () => {
        if (++bound === n) {
          console.log(servers.map((x) => x.address().port).join(" "));
          servers.forEach((x) => x.close());
        }
      });
    }' "$1"
}

port_free() {
  node -e '
    const s = require("node:net").createServer();
    s.once("error", () => process.exit(1));
    s.listen(Number(process.argv[1]), "127.0.0.1", () => s.close());' "$1"
}

abs_dir() {
  mkdir -p "$1"
  (cd "$1" && pwd -P)
}

# Refuse to wipe a directory this script did not make.
check_ours() {
  local dir=$1
  [ -d "$dir" ] || return 0
  [ -f "$dir/$MARKER" ] && return 0
  [ -z "$(ls -A "$dir")" ] && return 0
  die "$dir is not empty and was not made by kafka.sh (no $MARKER): choose another --dir"
}

parse_common() {
  # sets: DIR PORT CPORT from the arguments; ALLOW_PORTS=1 accepts the port options
  DIR=$DEFAULT_DIR PORT='' CPORT=''
  local opt val
  while [ $# -gt 0 ]; do
    opt=$1
    case $opt in
      -h | --help) usage ;;
      --*=*) val=${opt#*=}; opt=${opt%%=*}; shift ;;
      --dir | --port | --controller-port) [ $# -ge 2 ] || die "$opt needs a value"; val=$2; shift 2 ;;
      *) log "unknown argument: $opt"; usage ;;
    esac
    [ -n "$val" ] || die "$opt needs a value"
    case $opt in
      --dir) DIR=$val ;;
      --port) [ "$ALLOW_PORTS" = 1 ] || usage; PORT=$val ;;
      --controller-port) [ "$ALLOW_PORTS" = 1 ] || usage; CPORT=$val ;;
      *) log "unknown argument: $opt"; usage ;;
    esac
  done
  for p in $PORT $CPORT; do
    [[ "$p" =~ ^[0-9]+$ ]] && [ "$p" -ge 1 ] && [ "$p" -le 65535 ] || die "not a port: $p"
  done
}

# ---------------------------------------------------------------------------------------------- start

write_config() {
  local dir=$1 port=$2 cport=$3
  cat >"$dir/server.properties" <<EOF
# Written by infra/kafka/kafka.sh: one node, broker and controller, loopback only.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir/data
num.partitions=1
default.replication.factor=1
# One node: every internal topic must have replication factor 1, or it is never created
# (consumers then loop on "group coordinator is not available").
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
share.coordinator.state.topic.num.partitions=1
min.insync.replicas=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
# Small: a 2-core machine shared with the tests.
num.network.threads=2
num.io.threads=2
background.threads=2
num.recovery.threads.per.data.dir=1
log.cleaner.threads=1
EOF
  [ -z "${CAPFLOW_KAFKA_EXTRA_CONFIG:-}" ] || printf '%s\n' "$CAPFLOW_KAFKA_EXTRA_CONFIG" >>"$dir/server.properties"
  cat >"$dir/log4j2.properties" <<EOF
# Written by infra/kafka/kafka.sh: everything to stdout, which kafka.sh sends to broker.log.
status = warn
name = capflow-kafka
appender.stdout.type = Console
appender.stdout.name = STDOUT
appender.stdout.layout.type = PatternLayout
appender.stdout.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = $LOG_LEVEL
rootLogger.appenderRefs = stdout
rootLogger.appenderRef.stdout.ref = STDOUT
logger.requests.name = kafka.request.logger
logger.requests.level = WARN
logger.state.name = state.change.logger
logger.state.level = WARN
logger.started.name = kafka.server.KafkaRaftServer
logger.started.level = INFO
EOF
}

START_PID=''  # the broker this `start` launched and has not handed over yet: killed if start fails
CHILD_PID=''  # the storage formatter or the readiness probe, while it runs
START_DIR=''
abort_start() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$CHILD_PID" ]; then
    kill -TERM "$CHILD_PID" 2>/dev/null || true
    wait "$CHILD_PID" 2>/dev/null || true
  fi
  if [ -n "$START_PID" ]; then
    kill_broker "$START_PID" || true
    rm -f "$START_DIR/kafka.pid"
    if [ -f "$START_DIR/broker.log" ]; then
      log "last lines of $START_DIR/broker.log:"
      tail -n 40 "$START_DIR/broker.log" >&2 || true
    fi
  fi
  [ -z "$START_DIR" ] || log "start failed; nothing left running; $START_DIR is kept for inspection"
  exit $((rc == 0 ? 1 : rc))
}

# Starts the broker configured in DIR and waits until it serves; on failure abort_start kills it.
launch_broker() {
  local dir=$1 port=$2 pid
  # A restart finds the stopped broker's pid file: without this the wait below would read that
  # pid, see it dead, and call a healthy start a failure
  rm -f "$dir/kafka.pid"
  # setsid: the broker outlives this script and a Ctrl-C in its terminal. The wrapper closes every inherited
  # descriptor above 2 (a caller's pipe kept open by the broker would make `$(kafka.sh start)` or a CI harness wait
  # for ever), writes its own pid and becomes java, so kafka.pid holds the JVM's pid whether or not setsid forks.
  # shellcheck disable=SC2016,SC2086 # $$ is the wrapper's; HEAP is a list of flags
  setsid bash -c 'for fd in /proc/$$/fd/*; do fd=${fd##*/}; [ "$fd" -le 2 ] || eval "exec $fd>&-"; done
    echo $$ >"$0"; exec "$@"' "$dir/kafka.pid" \
    java $HEAP -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
    "-Dlog4j2.configurationFile=$dir/log4j2.properties" "-Dkafka.logs.dir=$dir" \
    -cp "$LIBS/*" kafka.Kafka "$dir/server.properties" \
    </dev/null >"$dir/broker.log" 2>&1 &
  START_PID=$!
  for _ in $(seq 1 50); do
    [ -s "$dir/kafka.pid" ] && break
    sleep 0.1
  done
  pid=$(cat "$dir/kafka.pid" 2>/dev/null || true)
  [[ "$pid" =~ ^[0-9]+$ ]] || die "the broker did not start (no pid)"
  START_PID=$pid
  log "broker pid $pid on 127.0.0.1:$port, dir $dir; waiting up to ${READY_TIMEOUT} s"

  node "$SCRIPT_DIR/wait-ready.js" --brokers "127.0.0.1:$port" --pid "$pid" \
    --timeout-ms "$((READY_TIMEOUT * 1000))" --log "$dir/broker.log" </dev/null >&2 &
  CHILD_PID=$!
  wait "$CHILD_PID" || {
    CHILD_PID=''
    die "the broker did not become ready on 127.0.0.1:$port"
  }
  CHILD_PID=''
}

cmd_start() {
  ALLOW_PORTS=1 parse_common "$@"
  need java 'install a JDK 17+'
  need node 'install Node 20'
  local dir pid running started cid
  dir=$(abs_dir "$DIR")
  if running=$(broker_pid "$dir"); then
    die "a broker already runs from $dir (pid $running, $(cat "$dir/brokers" 2>/dev/null || echo 'address unknown')); stop it first: $0 stop --dir $dir"
  fi
  check_ours "$dir"
  cmd_fetch

  if [ -z "$PORT" ] || [ -z "$CPORT" ]; then
    local ports
    read -r -a ports <<<"$(free_ports 2)"
    [ "${#ports[@]}" -eq 2 ] || die "could not get free ports from the OS"
    PORT=${PORT:-${ports[0]}}
    CPORT=${CPORT:-${ports[1]}}
    [ "$PORT" != "$CPORT" ] || CPORT=${ports[0]}
  fi
  [ "$PORT" != "$CPORT" ] || die "--port and --controller-port must differ"
  port_free "$PORT" || die "port $PORT on 127.0.0.1 is in use"
  port_free "$CPORT" || die "controller port $CPORT on 127.0.0.1 is in use"

  # A fresh directory every start: configuration, logs, pid and data.
  find "$dir" -mindepth 1 -delete
  touch "$dir/$MARKER"
  write_config "$dir" "$PORT" "$CPORT"
  started=$(date +%s%N)

  cid=$(node -e '
    const c = require("node:crypto");
    let id;
    do id = c.randomBytes(16).toString("base64url"); while (id.startsWith("-"));
    console.log(id);')
  # From here on a failure or a signal kills whatever this start launched. Children run in the background and are
  # waited for, so that SIGINT/SIGTERM are handled at once rather than when the child ends.
  START_DIR=$dir
  trap abort_start EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  java -Xmx256m -cp "$LIBS/*" "-Dlog4j2.configurationFile=$dir/log4j2.properties" \
    kafka.tools.StorageTool format -t "$cid" -c "$dir/server.properties" --ignore-formatted \
    </dev/null >"$dir/format.log" 2>&1 &
  CHILD_PID=$!
  wait "$CHILD_PID" || {
    CHILD_PID=''
    tail -n 30 "$dir/format.log" >&2
    die "formatting the KRaft storage failed (above; $dir/format.log)"
  }
  CHILD_PID=''

  launch_broker "$dir" "$PORT"

  echo "127.0.0.1:$PORT" >"$dir/brokers"
  START_PID=''
  trap - EXIT INT TERM
  local ms=$((($(date +%s%N) - started) / 1000000))
  log "ready in $((ms / 1000)).$((ms % 1000 / 100)) s; stop with: $0 stop --dir $dir"
  echo "KAFKA_BROKERS=127.0.0.1:$PORT"
}


# Stops the broker of DIR and starts it again on the same ports with the same data: a broker restart as operations
# know it (topics, offsets and committed groups survive).
cmd_restart() {
  ALLOW_PORTS=0 parse_common "$@"
  local dir pid port started
  [ -f "$DIR/server.properties" ] || die "no broker was started from $DIR"
  dir=$(cd "$DIR" && pwd -P)
  check_ours "$dir"
  need java 'install a JDK 17+'
  if pid=$(broker_pid "$dir"); then
    log "stopping broker $pid ($dir), keeping its data"
    kill_broker "$pid"
  fi
  [ ! -f "$dir/broker.log" ] || mv "$dir/broker.log" "$dir/broker.log.previous"
  port=$(sed -n 's/^advertised.listeners=PLAINTEXT:\/\/127.0.0.1:\([0-9]*\)$/\1/p' "$dir/server.properties")
  [[ "$port" =~ ^[0-9]+$ ]] || die "no client port in $dir/server.properties"
  started=$(date +%s%N)
  START_DIR=$dir
  trap abort_start EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  launch_broker "$dir" "$port"
  START_PID=''
  trap - EXIT INT TERM
  local ms=$((($(date +%s%N) - started) / 1000000))
  log "restarted in $((ms / 1000)).$((ms % 1000 / 100)) s"
  echo "KAFKA_BROKERS=127.0.0.1:$port"
}

# ---------------------------------------------------------------------------------------------- stop, status

cmd_stop() {
  ALLOW_PORTS=0 parse_common "$@"
  local dir pid
  if [ ! -d "$DIR" ]; then
    log "nothing to stop: $DIR does not exist"
    return 0
  fi
  dir=$(cd "$DIR" && pwd -P)
  check_ours "$dir"
  if pid=$(broker_pid "$dir"); then
    log "stopping broker $pid ($dir)"
    kill_broker "$pid"
  else
    log "no broker running from $dir"
  fi
  rm -rf "$dir"
  log "removed $dir"
}

cmd_status() {
  ALLOW_PORTS=0 parse_common "$@"
  local dir pid rss
  dir=$DIR
  [ ! -d "$dir" ] || dir=$(cd "$dir" && pwd -P)
  if [ -d "$dir" ] && pid=$(broker_pid "$dir"); then
    rss=$(awk '/^VmRSS:/ { printf "%d MiB", $2 / 1024 }' "/proc/$pid/status" 2>/dev/null || echo '?')
    echo "running: pid $pid, brokers $(cat "$dir/brokers" 2>/dev/null || echo '(not ready yet)'), rss $rss, dir $dir"
  else
    echo "not running (dir $dir)"
    return 3
  fi
}

case ${1:-} in
  fetch | start | restart | stop | status)
    cmd=$1
    shift
    "cmd_$cmd" "$@"
    ;;
  *) usage ;;
esac

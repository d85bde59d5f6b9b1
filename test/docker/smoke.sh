#!/usr/bin/env bash
# Builds the Docker image and runs `fedprobe daemon` in it, with a real Docker engine started
# inside a throwaway network namespace (no registry here: the base image is Debian minbase made
# with debootstrap plus this machine's Node 20). Checks: the image builds from the Dockerfile,
# runs read-only as a non-root user, /readyz answers 200 from inside the container's network,
# and Docker's HEALTHCHECK turns "healthy". Prints "docker smoke: ok" or the failing step.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
[ "$(id -u)" = 0 ] || { echo "docker smoke: needs root" >&2; exit 1; }

export DEBIAN_FRONTEND=noninteractive
need=()
command -v dockerd >/dev/null || need+=(docker.io)
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v curl >/dev/null || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

work=$(mktemp -d /tmp/fedprobe-docker.XXXXXX)
ns="fp-docker-$$"
cache=/var/cache/fedprobe
base_tar="$cache/node20-minbase.tar"
dockerd_pid=""
cleanup() {
  set +e
  if [ -n "$dockerd_pid" ]; then
    DOCKER_HOST="unix://$work/docker.sock" docker rm -f fp-smoke >/dev/null 2>&1
    kill "$dockerd_pid" 2>/dev/null; wait "$dockerd_pid" 2>/dev/null
  fi
  grep -o " $work/[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null
  ip netns del "$ns" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
step() { echo "docker smoke: $*" >&2; }

# 1. A local base image: Debian minbase + the machine's node and npm (cached between runs).
if [ ! -s "$base_tar" ]; then
  step "making the base image with debootstrap (once)"
  mkdir -p "$cache"
  debootstrap --variant=minbase bookworm "$work/rootfs" http://deb.debian.org/debian >/dev/null
  install -m 0755 "$(readlink -f "$(command -v node)")" "$work/rootfs/usr/local/bin/node"
  npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
  mkdir -p "$work/rootfs/usr/local/lib/node_modules"
  cp -a "$npm_dir" "$work/rootfs/usr/local/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$work/rootfs/usr/local/bin/npm"
  tar -C "$work/rootfs" -cf "$base_tar.tmp" . && mv "$base_tar.tmp" "$base_tar"
  rm -rf "$work/rootfs"
fi

# 2. The build context: the repository with its node_modules (the engine has no network).
step "preparing the build context"
mkdir -p "$work/context"
tar -C "$root" --exclude=./.git --exclude=./dist --exclude=./test-artifacts -cf - . | tar -C "$work/context" -xf -
rm -f "$work/context/.dockerignore"

# 3. dockerd inside its own netns (nsenter, not `ip netns exec`, which remounts /sys).
ip netns add "$ns"
ip -n "$ns" link set lo up
nsenter --net="/run/netns/$ns" dockerd --host "unix://$work/docker.sock" --data-root "$work/data" --exec-root "$work/exec" \
  --pidfile "$work/dockerd.pid" --storage-driver overlay2 >"$work/dockerd.log" 2>&1 &
dockerd_pid=$!
export DOCKER_HOST="unix://$work/docker.sock"
for _ in $(seq 1 100); do docker info >/dev/null 2>&1 && break; sleep 0.1; done
docker info >/dev/null 2>&1 || { step "dockerd did not start"; tail -5 "$work/dockerd.log" >&2; exit 1; }

step "importing the base image and building fedprobe:smoke"
docker import "$base_tar" localhost/node20-base:local >/dev/null
DOCKER_BUILDKIT=0 docker build -q --build-arg BASE=localhost/node20-base:local -t fedprobe:smoke "$work/context" >"$work/build.log" 2>&1 || { step "docker build failed"; tail -20 "$work/build.log" >&2; exit 1; }

# 4. The daemon in a read-only container, checking a profile whose one row is the daemon's own port.
cat > "$work/self.yaml" <<'YAML'
schema: fedprobe/v1
framework: fedprobe
component: container
scenario: smoke test
rows:
  - { id: self, dir: out, source: container, destination: daemon, port: tcp/9469, service: HTTP, type: backend, status: mandatory, probe: "tcp://127.0.0.1:9469" }
YAML
chmod 0644 "$work/self.yaml"
docker run -d --name fp-smoke --read-only --health-interval 1s -p 127.0.0.1:19469:9469 -v "$work/self.yaml:/etc/fedprobe/self.yaml:ro" \
  fedprobe:smoke daemon /etc/fedprobe/self.yaml --listen 0.0.0.0:9469 --interval 2s >/dev/null

uid=$(docker exec fp-smoke id -u)
[ "$uid" != 0 ] || { step "the container runs as root"; exit 1; }
ready=""
for _ in $(seq 1 100); do
  ready=$(nsenter --net="/run/netns/$ns" curl -fsS http://127.0.0.1:19469/readyz 2>/dev/null || true)
  [ "$ready" = "ready" ] && break
  sleep 0.1
done
[ "$ready" = "ready" ] || { step "/readyz did not answer ready"; docker logs fp-smoke 2>&1 | tail -5 >&2; exit 1; }
health=""
for _ in $(seq 1 100); do
  health=$(docker inspect -f '{{.State.Health.Status}}' fp-smoke)
  [ "$health" = "healthy" ] && break
  sleep 0.2
done
[ "$health" = "healthy" ] || { step "HEALTHCHECK says $health"; exit 1; }
version=$(docker run --rm --read-only fedprobe:smoke --version)
echo "docker smoke: ok (fedprobe $version, uid $uid, /readyz ready, health $health)"

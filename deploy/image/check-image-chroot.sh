#!/usr/bin/env bash
# Runs a Jib image tarball without Docker, to check it where no engine exists (needs root: unshare, mount,
# chroot): unpacks the layers, mounts the root filesystem read-only with tmpfs on /tmp and /var/lib/killswitch
# (the image's two volumes), and starts the image's entrypoint as its user (65532) with the given arguments,
# e.g. `run` (everything on the embedded broker). Then: curl http://127.0.0.1:${PORT:-18080}/readyz
#   deploy/image/check-image-chroot.sh cli/target/jib-image.tar run
set -euo pipefail
image="$(realpath "$1")"; shift
dir="$(mktemp -d)"
mkdir -p "$dir/x" "$dir/root"
tar -xf "$image" -C "$dir/x"
for layer in $(python3 -c "import json,sys; print(' '.join(json.load(open(sys.argv[1]))[0]['Layers']))" "$dir/x/manifest.json"); do
  tar -xzf "$dir/x/$layer" -C "$dir/root" 2>/dev/null || tar -xf "$dir/x/$layer" -C "$dir/root"
done
mapfile -t entrypoint < <(python3 -c "import json,sys; m=json.load(open(sys.argv[1]+'/manifest.json'))[0]; c=json.load(open(sys.argv[1]+'/'+m['Config']))['config']; print('\n'.join(c['Entrypoint']))" "$dir/x")
user="$(python3 -c "import json,sys; m=json.load(open(sys.argv[1]+'/manifest.json'))[0]; print(json.load(open(sys.argv[1]+'/'+m['Config']))['config'].get('User','0:0'))" "$dir/x")"
mkdir -p "$dir/root/proc" "$dir/root/usr/bin"
[ -e "$dir/root/usr/bin/env" ] || cp /usr/bin/env "$dir/root/usr/bin/env"
echo "image unpacked in $dir/root; entrypoint: ${entrypoint[*]}; user $user" >&2
exec unshare -m bash -c '
  set -e; R="$1"; shift; U="$1"; shift
  mount --bind "$R" "$R"; mount -o remount,ro,bind "$R"
  mount -t tmpfs -o mode=1777 tmpfs "$R/tmp"; mount -t tmpfs -o mode=0777 tmpfs "$R/var/lib/killswitch"
  mount -t proc proc "$R/proc"   # the dynamic loader resolves $ORIGIN (libjli.so) through /proc/self/exe
  cd /; exec chroot --userspec="$U" "$R" /usr/bin/env -i PATH=/opt/java/bin:/usr/bin:/bin JAVA_HOME=/opt/java \
    KILLSWITCH_DATA_DIR=/var/lib/killswitch KILLSWITCH_HTTP_HOST=127.0.0.1 KILLSWITCH_HTTP_PORT="${PORT:-18080}" \
    KILLSWITCH_EMBEDDED_KAFKA_PORT=0 HOME=/var/lib/killswitch "$@"' _ "$dir/root" "$user" "${entrypoint[@]}" "$@"

#!/usr/bin/env bash
# Builds a Java base image as a tarball (`docker save` layout) from this machine's own JDK, for building the
# Killswitch image with Jib where no container registry is reachable:
#   deploy/image/local-base-image.sh cli/target/local-base.tar
#   mvn -B -o -DskipTests -Pimage -Djib.goal=buildTar -Djib.from.image=tar://$PWD/cli/target/local-base.tar -pl cli package
# The image holds a jlink'ed runtime of every JDK module under /opt/java, the shared libraries it and bash load,
# bash (for compose's health check) and CA certificates. It is for offline builds and checks; publish images
# built on eclipse-temurin (the profile's default base) instead.
set -euo pipefail
out="$(realpath -m "${1:-cli/target/local-base.tar}")"
java_home="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
root="$work/root"
mkdir -p "$root"/{tmp,etc,var/lib/killswitch,usr/bin,bin}
chmod 1777 "$root/tmp"

"$java_home/bin/jlink" --add-modules ALL-MODULE-PATH --module-path "$java_home/jmods" --strip-debug \
  --no-header-files --no-man-pages --output "$root/opt/java" 2>/dev/null \
  || "$java_home/bin/jlink" --add-modules "$("$java_home/bin/java" --list-modules | sed 's/@.*//' | paste -sd,)" \
       --strip-debug --no-header-files --no-man-pages --output "$root/opt/java"
cacerts="$root/opt/java/lib/security/cacerts"
if [ -L "$cacerts" ] || [ ! -s "$cacerts" ]; then rm -f "$cacerts"; cp "$(readlink -f "$java_home/lib/security/cacerts")" "$cacerts"; fi
cp "$(command -v bash)" "$root/bin/bash"
cp "$(command -v head)" "$(command -v grep)" "$root/usr/bin/" 2>/dev/null || true

# every shared library the runtime and the tools load (ldd), plus libraries loaded at run time by name
copy_lib() { local f; f="$(readlink -f "$1")"; mkdir -p "$root$(dirname "$1")"; cp -n "$f" "$root$1" 2>/dev/null || true; }
find "$root/opt/java" "$root/bin" "$root/usr/bin" -type f \( -name '*.so' -o -perm -u+x \) -print0 \
  | xargs -0 -n1 ldd 2>/dev/null | awk '/=> \//{print $3} /^\s*\/lib/{print $1}' | sort -u \
  | while read -r lib; do copy_lib "$lib"; done
for lib in /lib/x86_64-linux-gnu/libpthread.so.0 /lib/x86_64-linux-gnu/libdl.so.2 /lib/x86_64-linux-gnu/librt.so.1 /lib/x86_64-linux-gnu/libm.so.6 \
           /lib/x86_64-linux-gnu/libstdc++.so.6 /lib/x86_64-linux-gnu/libgcc_s.so.1 /lib/x86_64-linux-gnu/libz.so.1 \
           /lib/x86_64-linux-gnu/libnss_files.so.2 /lib/x86_64-linux-gnu/libnss_dns.so.2 /lib/x86_64-linux-gnu/libresolv.so.2; do
  [ -e "$lib" ] && copy_lib "$lib"
done
[ -e /lib64/ld-linux-x86-64.so.2 ] && copy_lib /lib64/ld-linux-x86-64.so.2
printf 'root:x:0:0::/root:/bin/bash\nkillswitch:x:65532:65532::/var/lib/killswitch:/bin/bash\n' > "$root/etc/passwd"
printf 'root:x:0:\nkillswitch:x:65532:\n' > "$root/etc/group"
printf 'hosts: files dns\n' > "$root/etc/nsswitch.conf"

tar --numeric-owner --owner=0 --group=0 --sort=name --mtime='1970-01-01' -C "$root" -cf "$work/layer.tar" .
diff_id="sha256:$(sha256sum "$work/layer.tar" | cut -d' ' -f1)"
cat > "$work/config.json" <<JSON
{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/opt/java/bin:/usr/bin:/bin","JAVA_HOME=/opt/java"]},
 "rootfs":{"type":"layers","diff_ids":["$diff_id"]},"history":[{"created_by":"deploy/image/local-base-image.sh"}]}
JSON
echo '[{"Config":"config.json","RepoTags":["killswitch-local-base:17"],"Layers":["layer.tar"]}]' > "$work/manifest.json"
mkdir -p "$(dirname "$out")"
tar -C "$work" -cf "$out" manifest.json config.json layer.tar
echo "base image: $out ($(du -h "$out" | cut -f1))"

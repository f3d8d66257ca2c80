# Median ns/op per benchmark from `go test -bench -count N` output, and each
# runsc-ai benchmark's ratio to the runsc one of the same name.
$1 ~ /^Benchmark/ && $4 == "ns/op" {
	name = $1; sub(/-[0-9]+$/, "", name)
	n[name]++; v[name, n[name]] = $3
}
function median(name,   i, j, t, c) {
	c = n[name]
	for (i = 1; i <= c; i++) a[i] = v[name, i]
	for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return (c % 2) ? a[(c + 1) / 2] : (a[c / 2] + a[c / 2 + 1]) / 2
}
END {
	for (name in n) med[name] = median(name)
	for (name in n) {
		if (name !~ /\/runsc-ai$/) continue
		base = name; sub(/\/runsc-ai$/, "/runsc", base)
		if (!(base in med)) continue
		printf "%-40s runsc %8.1f ms  runsc-ai %8.1f ms  ratio %.3f  (n=%d)\n", base, med[base] / 1e6, med[name] / 1e6, med[name] / med[base], n[name]
	}
}

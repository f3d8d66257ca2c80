# Medians of the custom metrics that runtime-comparison benchmarks report
# (`go test -bench -count N`): <runtime>-ms/op and ratio (runsc-ai / runsc).
$1 ~ /^Benchmark/ {
	name = $1; sub(/-[0-9]+$/, "", name)
	for (i = 3; i < NF; i += 2) {
		unit = $(i + 1)
		if (unit == "ns/op") continue
		k = name SUBSEP unit
		c[k]++; v[k, c[k]] = $i
		if (!(name in seen)) { seen[name] = 1; names[++nn] = name }
		if (!((name, unit) in useen)) { useen[name, unit] = 1; units[name, ++nu[name]] = unit }
	}
}
function median(k,   i, j, t, m) {
	m = c[k]
	for (i = 1; i <= m; i++) a[i] = v[k, i]
	for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
}
END {
	for (x = 1; x <= nn; x++) {
		name = names[x]; line = name ":"
		for (y = 1; y <= nu[name]; y++) {
			unit = units[name, y]; k = name SUBSEP unit
			line = line sprintf("  %s %.3f", unit, median(k))
		}
		printf "%s  (median of %d rounds)\n", line, c[name SUBSEP units[name, 1]]
	}
}

package host

// Fact is one discovered value with its provenance. Err is set, and Value is
// the zero value, when the source was missing or could not be parsed.
type Fact[T any] struct {
	Value  T      `json:"value"`
	Source string `json:"source"`
	Err    string `json:"error,omitempty"`
}

// OK reports whether the fact was discovered.
func (f Fact[T]) OK() bool { return f.Err == "" }

func found[T any](v T, source string) Fact[T] {
	return Fact[T]{Value: v, Source: source}
}

func failed[T any](source string, err error) Fact[T] {
	return Fact[T]{Source: source, Err: err.Error()}
}

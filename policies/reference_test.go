package policies

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// Every field of the policy's types is documented, and nothing else.
func TestReferenceCoversEveryField(t *testing.T) {
	var documented []string
	for _, f := range fields {
		documented = append(documented, f.Path)
	}
	have := leafPaths()
	for _, p := range have {
		if !slices.Contains(documented, p) {
			t.Errorf("%s: a policy field docs/policies.md does not document (add it to fields in reference.go)", p)
		}
	}
	for _, p := range documented {
		if !slices.Contains(have, p) {
			t.Errorf("%s: documented, but no policy field", p)
		}
	}
}

func TestReferenceIsGenerated(t *testing.T) {
	b, err := os.ReadFile("../docs/policies.md")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, Reference()) {
		t.Error("docs/policies.md is stale: run go generate ./policies")
	}
}

// withValue is the default policy with the field at path (placeholders
// replaced by mapKeys' examples; [] is the first rule) set to the YAML value v.
func withValue(t *testing.T, path, v string) []byte {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(defaultYAML, &doc); err != nil {
		t.Fatal(err)
	}
	var val yaml.Node
	if err := yaml.Unmarshal([]byte(v), &val); err != nil {
		t.Fatal(err)
	}
	n := doc.Content[0]
	segs := strings.Split(path, ".")
	for i, seg := range segs {
		seg, item := strings.CutSuffix(seg, "[]")
		if strings.HasPrefix(seg, "<") {
			for _, k := range mapKeys {
				if k.placeholder == seg {
					seg = k.example
				}
			}
		}
		var next *yaml.Node
		for j := 0; j+1 < len(n.Content); j += 2 {
			if n.Content[j].Value == seg {
				next = n.Content[j+1]
			}
		}
		if next == nil { // an absent optional field or map key: add it
			next = &yaml.Node{Kind: yaml.MappingNode}
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: seg}, next)
		}
		if item {
			next = next.Content[0]
		}
		if i == len(segs)-1 {
			*next = *val.Content[0]
		}
		n = next
	}
	b, err := yaml.Marshal(&doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The bounds docs/policies.md states are the loader's: each OK value is
// accepted and each Bad value refused with an error naming the field.
func TestReferenceBoundsAreTheLoaders(t *testing.T) {
	for _, f := range fields {
		for _, v := range f.OK {
			if _, err := Parse("p.yaml", withValue(t, f.Path, v)); err != nil {
				t.Errorf("%s: %s refused, the reference says %s: %v", f.Path, v, f.Bounds, err)
			}
		}
		for _, v := range f.Bad {
			if _, err := Parse("p.yaml", withValue(t, f.Path, v)); err == nil {
				t.Errorf("%s: %s accepted, the reference says %s", f.Path, v, f.Bounds)
			}
		}
	}
}

// Command genref writes docs/policies.md from the policy reference. Run by
// `go generate ./policies`.
package main

import (
	"log"
	"os"

	"github.com/go-os-agent/runsc-ai/policies"
)

func main() {
	if err := os.WriteFile("../docs/policies.md", policies.Reference(), 0o644); err != nil {
		log.Fatal(err)
	}
}

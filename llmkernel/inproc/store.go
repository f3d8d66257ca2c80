package inproc

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Resolve finds a model: a path to a GGUF file as is, or a name in ollama's
// local store (models pulled with `ollama pull` on any machine and copied):
// [host/][namespace/]model[:tag], default registry.ollama.ai/library and
// tag latest, read from dir (default $OLLAMA_MODELS, else ~/.ollama/models)
// as manifests/HOST/NS/MODEL/TAG -> the model layer's blob. It returns the
// file and a display name.
func Resolve(model, dir string) (path, name string, err error) {
	if model == "" {
		return "", "", fmt.Errorf("no model: give a GGUF path or a name in ollama's store (ollama pull tinyllama)")
	}
	if st, err := os.Stat(model); err == nil && st.Mode().IsRegular() {
		return model, strings.TrimSuffix(filepath.Base(model), ".gguf"), nil
	}
	if strings.HasSuffix(model, ".gguf") || strings.HasPrefix(model, "/") || strings.HasPrefix(model, ".") {
		_, err := os.Stat(model)
		if err == nil {
			err = fmt.Errorf("not a regular file")
		}
		return "", "", fmt.Errorf("model file %s: %w", model, err)
	}
	host, ns, repo, tag, err := parseName(model)
	if err != nil {
		return "", "", err
	}
	if dir == "" {
		dir = os.Getenv("OLLAMA_MODELS")
	}
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", "", fmt.Errorf("model %q: no OLLAMA_MODELS and no home directory: %w", model, err)
		}
		dir = filepath.Join(home, ".ollama", "models")
	}
	mf := filepath.Join(dir, "manifests", host, ns, repo, tag)
	f, err := os.Open(mf)
	if err != nil {
		return "", "", fmt.Errorf("model %q is not in ollama's store %s (on a machine with internet: ollama pull %s, then copy the store): %w", model, dir, model, err)
	}
	defer f.Close()
	var m struct {
		Layers []struct {
			MediaType string `json:"mediaType"`
			Digest    string `json:"digest"`
		} `json:"layers"`
	}
	if err := json.NewDecoder(io.LimitReader(f, 1<<20)).Decode(&m); err != nil {
		return "", "", fmt.Errorf("manifest %s: %w", mf, err)
	}
	for _, l := range m.Layers {
		if l.MediaType != "application/vnd.ollama.image.model" {
			continue
		}
		if !validDigest(l.Digest) {
			return "", "", fmt.Errorf("manifest %s: model digest %q", mf, l.Digest)
		}
		blob := filepath.Join(dir, "blobs", strings.Replace(l.Digest, ":", "-", 1))
		if _, err := os.Stat(blob); err != nil {
			return "", "", fmt.Errorf("manifest %s: model blob: %w", mf, err)
		}
		return blob, repo + ":" + tag, nil
	}
	return "", "", fmt.Errorf("manifest %s: no model layer", mf)
}

// validDigest: sha256:<64 lower-case hex digits>. Checked by hand, not by
// a package-level regexp: this binary is also the gofer and the sandbox,
// and compiling regexps at init is paid at every container start.
func validDigest(s string) bool {
	hex, ok := strings.CutPrefix(s, "sha256:")
	if !ok || len(hex) != 64 {
		return false
	}
	for i := 0; i < len(hex); i++ {
		if c := hex[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// validPart: [A-Za-z0-9][A-Za-z0-9._-]{0,127}.
func validPart(s string) bool {
	if len(s) == 0 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
		if !alnum && (i == 0 || c != '.' && c != '_' && c != '-') {
			return false
		}
	}
	return true
}

// parseName splits [host/][ns/]repo[:tag]; every part is checked, so a name
// cannot leave the store's directory.
func parseName(s string) (host, ns, repo, tag string, err error) {
	host, ns, tag = "registry.ollama.ai", "library", "latest"
	if i := strings.LastIndexByte(s, ':'); i > strings.LastIndexByte(s, '/') {
		s, tag = s[:i], s[i+1:]
	}
	parts := strings.Split(s, "/")
	switch len(parts) {
	case 1:
		repo = parts[0]
	case 2:
		ns, repo = parts[0], parts[1]
	case 3:
		host, ns, repo = parts[0], parts[1], parts[2]
	default:
		return "", "", "", "", fmt.Errorf("model name %q: want [host/][namespace/]model[:tag]", s)
	}
	for _, p := range []string{host, ns, repo, tag} {
		if !validPart(p) || p == "." || p == ".." || strings.Contains(p, "..") {
			return "", "", "", "", fmt.Errorf("model name %q: part %q not allowed", s, p)
		}
	}
	return host, ns, repo, tag, nil
}

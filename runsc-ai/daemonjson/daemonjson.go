// Package daemonjson installs runsc-ai as a Docker runtime: it edits
// dockerd's daemon.json safely (every other key kept, a backup left, a
// malformed file left unchanged). `runsc-ai install` and `uninstall` use it.
package daemonjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// DefaultConfig is where dockerd reads its configuration.
const DefaultConfig = "/etc/docker/daemon.json"

// BackupSuffix names the copy of the previous daemon.json that Install and
// Uninstall leave next to it (runsc install's convention).
const BackupSuffix = "~"

// Runtime is one entry of daemon.json's "runtimes" object.
type Runtime struct {
	Path        string   `json:"path"`
	RuntimeArgs []string `json:"runtimeArgs,omitempty"`
}

// Install adds (or replaces) runtime name in the daemon.json at path, keeping
// every other key and its order. It reports whether an entry was replaced.
func Install(path, name string, rt Runtime) (replaced bool, err error) {
	if name == "" {
		return false, errors.New("runtime name is empty")
	}
	if !filepath.IsAbs(rt.Path) {
		return false, fmt.Errorf("runtime path %q is not absolute", rt.Path)
	}
	doc, mode, err := readObject(path)
	if err != nil {
		return false, err
	}
	rts, err := runtimes(doc, path)
	if err != nil {
		return false, err
	}
	entry, err := json.Marshal(rt)
	if err != nil {
		return false, err
	}
	replaced = rts.set(name, entry)
	if err := doc.setObject("runtimes", rts); err != nil {
		return false, err
	}
	return replaced, writeAtomic(path, doc, mode)
}

// Uninstall removes runtime name from the daemon.json at path. A missing file
// or entry is an error naming what is missing; nothing is written then.
func Uninstall(path, name string) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("docker config: %w", err)
	}
	doc, mode, err := readObject(path)
	if err != nil {
		return err
	}
	rts, err := runtimes(doc, path)
	if err != nil {
		return err
	}
	if !rts.remove(name) {
		return fmt.Errorf("%s: runtime %q is not installed", path, name)
	}
	if err := doc.setObject("runtimes", rts); err != nil {
		return err
	}
	return writeAtomic(path, doc, mode)
}

// Lookup returns runtime name from the daemon.json at path, if present.
func Lookup(path, name string) (Runtime, bool, error) {
	doc, _, err := readObject(path)
	if err != nil {
		return Runtime{}, false, err
	}
	rts, err := runtimes(doc, path)
	if err != nil {
		return Runtime{}, false, err
	}
	raw, ok := rts.get(name)
	if !ok {
		return Runtime{}, false, nil
	}
	var rt Runtime
	if err := json.Unmarshal(raw, &rt); err != nil {
		return Runtime{}, false, fmt.Errorf("%s: runtimes.%s: %w", path, name, err)
	}
	return rt, true, nil
}

func runtimes(doc *object, path string) (*object, error) {
	raw, ok := doc.get("runtimes")
	if !ok {
		return &object{}, nil
	}
	rts, err := parseObject(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: \"runtimes\": %w", path, err)
	}
	return rts, nil
}

// readObject reads a JSON object; a missing or empty file is an empty one.
func readObject(path string) (*object, os.FileMode, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return &object{}, 0o644, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("docker config: %w", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, 0, fmt.Errorf("docker config: %w", err)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return &object{}, fi.Mode().Perm(), nil
	}
	doc, err := parseObject(b)
	if err != nil {
		return nil, 0, fmt.Errorf("%s is not valid JSON (left unchanged): %w", path, err)
	}
	return doc, fi.Mode().Perm(), nil
}

// writeAtomic backs up the current file, then replaces it with a fully
// written and synced temporary file, so dockerd never reads half a config.
func writeAtomic(path string, doc *object, mode os.FileMode) error {
	b, err := doc.MarshalJSON()
	if err != nil {
		return err
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, b, "", "    "); err != nil {
		return err
	}
	pretty.WriteByte('\n')
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("docker config: %w", err)
	}
	if old, err := os.ReadFile(path); err == nil {
		if err := writeSynced(path+BackupSuffix, old, mode); err != nil {
			return fmt.Errorf("backing up %s: %w", path, err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("docker config: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("docker config: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(pretty.Bytes()); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", tmp.Name(), err)
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", tmp.Name(), err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("replacing %s: %w", path, err)
	}
	return nil
}

func writeSynced(path string, b []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// object is a JSON object that keeps its keys' order and its values' exact
// text (numbers are not rounded through float64), so editing one key leaves
// the rest of a user's file as it was.
type object struct {
	keys []string
	vals map[string]json.RawMessage
}

func parseObject(b []byte) (*object, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("want a JSON object, found %v", tok)
	}
	o := &object{vals: map[string]json.RawMessage{}}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key := tok.(string) // inside an object the decoder only yields string keys
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("value of %q: %w", key, err)
		}
		o.set(key, v)
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data after the JSON object")
	}
	return o, nil
}

func (o *object) get(k string) (json.RawMessage, bool) {
	v, ok := o.vals[k]
	return v, ok
}

func (o *object) set(k string, v json.RawMessage) (replaced bool) {
	if o.vals == nil {
		o.vals = map[string]json.RawMessage{}
	}
	_, replaced = o.vals[k]
	if !replaced {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = v
	return replaced
}

func (o *object) setObject(k string, v *object) error {
	b, err := v.MarshalJSON()
	if err != nil {
		return err
	}
	o.set(k, b)
	return nil
}

func (o *object) remove(k string) bool {
	if _, ok := o.vals[k]; !ok {
		return false
	}
	delete(o.vals, k)
	for i, key := range o.keys {
		if key == k {
			o.keys = append(o.keys[:i], o.keys[i+1:]...)
			break
		}
	}
	return true
}

func (o *object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		b.Write(kb)
		b.WriteByte(':')
		b.Write(o.vals[k])
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

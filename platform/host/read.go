package host

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// maxFile bounds how much of any /proc or /sys file is read: these are small,
// and a fixture or a broken mount must not make discovery read without end.
const maxFile = 1 << 20

// reader reads files below root; paths are given absolute ("/proc/cpuinfo")
// and reported that way in sources.
type reader struct{ root string }

func (r reader) path(p string) string { return filepath.Join(r.root, p) }

func (r reader) read(p string) ([]byte, error) {
	f, err := os.Open(r.path(p))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxFile))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	return b, nil
}

func (r reader) readTrim(p string) (string, error) {
	b, err := r.read(p)
	if err != nil {
		return "", err
	}
	s := strings.TrimSpace(string(bytes.TrimRight(b, "\x00")))
	if s == "" {
		return "", fmt.Errorf("%s is empty", p)
	}
	return s, nil
}

func (r reader) exists(p string) bool {
	_, err := os.Stat(r.path(p))
	return err == nil
}

// keyValues parses "key : value" lines (cpuinfo, meminfo) into blocks
// separated by blank lines. Lines without a colon are ignored.
func keyValues(b []byte) []map[string]string {
	var blocks []map[string]string
	cur := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64*1024), maxFile)
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			if len(cur) > 0 {
				blocks = append(blocks, cur)
				cur = map[string]string{}
			}
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		cur[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	if len(cur) > 0 {
		blocks = append(blocks, cur)
	}
	return blocks
}

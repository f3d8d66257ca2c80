package node

import (
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// Warn logs a runsc-ai warning to stderr, where runtimes collect a runtime's
// messages. Built per call: warnings are rare and the create path must not
// pay for a logger it does not use.
func Warn(msg string, fields ...zap.Field) {
	cfg := zap.NewProductionConfig()
	cfg.Encoding = "console"
	cfg.Level = zap.NewAtomicLevelAt(zap.WarnLevel)
	cfg.OutputPaths = []string{"stderr"}
	cfg.DisableStacktrace = true
	cfg.DisableCaller = true
	cfg.EncoderConfig.EncodeTime = zapcore.ISO8601TimeEncoder
	if l, err := cfg.Build(); err == nil {
		l.Named("runsc-ai").Warn(msg, fields...)
		l.Sync()
	}
}

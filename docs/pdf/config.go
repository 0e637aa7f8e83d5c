package pdf

import (
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// pdfcpuConfiguration returns pdfcpu's default configuration, built here
// rather than with model.NewDefaultConfiguration because that one creates
// and reads a config directory under $HOME (and gives up without one).
// The values mirror pdfcpu's built-in defaults, except Offline.
func pdfcpuConfiguration() *model.Configuration {
	return &model.Configuration{
		CreationDate:                    time.Now().Format("2006-01-02 15:04"),
		Version:                         model.VersionStr,
		Reader15:                        true,
		ValidationMode:                  model.ValidationRelaxed,
		UnsupportedResourcePolicy:       model.UnsupportedResourceSkip,
		Eol:                             types.EolLF,
		WriteObjectStream:               true,
		WriteXRefStream:                 true,
		EncryptUsingAES:                 true,
		EncryptKeyLength:                256,
		Permissions:                     model.PermissionsPrint,
		Unit:                            types.POINTS,
		TimestampFormat:                 "2006-01-02 15:04",
		DateFormat:                      "2006-01-02",
		Optimize:                        true,
		OptimizeBeforeWriting:           true,
		OptimizeResourceDicts:           true,
		OptimizeDuplicateContentStreams: false,
		CreateBookmarks:                 true,
		MergeBookmarkMode:               model.MergeBookmarkModeWrap,
		Offline:                         true, // a worker never goes to the network
		Timeout:                         5,
		TimeoutCRL:                      10,
		TimeoutOCSP:                     10,
		PreferredCertRevocationChecker:  model.CRL,
		Limits:                          model.DefaultResourceLimits(),
	}
}

package pdf

import (
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// pdfcpuConfiguration returns pdfcpu's default configuration, built here
// rather than with model.NewDefaultConfiguration because that one creates
// and reads a config directory under $HOME (and gives up without one).
// The values mirror pdfcpu's built-in defaults, except Offline and the
// nesting limit (maxNesting).
func pdfcpuConfiguration() *model.Configuration {
	limits := model.DefaultResourceLimits()
	limits.MaxRecursionDepth = maxNesting
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
		Limits:                          limits,
	}
}

// maxNesting is how deeply pdfcpu follows nested arrays and dictionaries
// in an object (and other recursive structures). pdfcpu's default, 100,
// is far below what real files and pdf.js take: pdfcpu gives up on an
// object nested deeper and reads it as null, so a page with, say, 150
// nested arrays in a private entry would lose its whole dictionary (its
// validation then puts a blank A4 page in its place; inspection now
// refuses a page it cannot read). pdf.js, whose parser recurses on the
// JavaScript stack, reads about 8,000 levels in Node and fewer where a
// browser's worker has a smaller stack; half that is safe in Go, whose
// stacks grow.
const maxNesting = 4096

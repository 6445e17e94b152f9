package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/qr"
	"github.com/chromedp/chromedp"
)

// qrImage is what the browser says about the QR code on the enrolment page.
type qrImage struct {
	Complete bool   `json:"complete"`
	Width    int    `json:"width"`
	Height   int    `json:"height"`
	Src      string `json:"src"`
}

// checkQR checks, on the enrolment page the tab shows, that the QR code image loaded and
// decoded in the browser (naturalWidth > 0: "#ZgotmplZ" or a CSP refusal gives 0), and
// that the PNG the page got is the QR code of the otpauth URI for this account: the
// same URI, built here from the secret shown on the page, encoded as a QR code (same
// error correction, same size) gives the same pixels.
func checkQR(t *testing.T, ctx context.Context, who string) {
	t.Helper()
	run(t, ctx, who+": wait for the QR image", chromedp.WaitVisible(chromedp.CSS(`img[width="220"]`)))
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	img, err := chromedp.Run(sctx, chromedp.Evaluate[qrImage](`(() => { const i = document.querySelector('img[width="220"]');
		return {complete: i.complete, width: i.naturalWidth, height: i.naturalHeight, src: i.getAttribute('src')}; })()`))
	if err != nil {
		t.Fatalf("%s: read the QR image: %v", who, err)
	}
	if !img.Complete || img.Width != 220 || img.Height != 220 {
		t.Fatalf("%s: the QR image did not load in the browser: %+v", who, img)
	}
	const prefix = "data:image/png;base64,"
	if !strings.HasPrefix(img.Src, prefix) {
		t.Fatalf("%s: the QR image's source is %.40q, want a PNG data URL", who, img.Src)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(img.Src, prefix))
	if err != nil {
		t.Fatalf("%s: QR data URL: %v", who, err)
	}
	got, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("%s: the page's QR PNG does not decode: %v", who, err)
	}
	secret, email := text(t, ctx, `code#totp-secret`), text(t, ctx, `#totp-account`)
	uri := "otpauth://totp/Amparo:" + strings.ReplaceAll(email, "@", "%40") + "?secret=" + secret +
		"&issuer=Amparo&algorithm=SHA1&digits=6&period=30"
	code, err := qr.Encode(uri, qr.M, qr.Auto)
	if err != nil {
		t.Fatal(err)
	}
	want, err := barcode.Scale(code, 220, 220)
	if err != nil {
		t.Fatal(err)
	}
	if diff := pixelDiff(got, want); diff != 0 {
		t.Errorf("%s: the page's QR code differs from the QR code of %s in %d pixels", who, uri, diff)
	}
	screenshot(t, ctx, "identity-enrol-"+who)
}

// pixelDiff counts the pixels where two images differ in grey level.
func pixelDiff(a, b image.Image) int {
	if a.Bounds().Size() != b.Bounds().Size() {
		return a.Bounds().Dx() * a.Bounds().Dy()
	}
	n := 0
	for y := 0; y < a.Bounds().Dy(); y++ {
		for x := 0; x < a.Bounds().Dx(); x++ {
			ga := color.GrayModel.Convert(a.At(a.Bounds().Min.X+x, a.Bounds().Min.Y+y)).(color.Gray)
			gb := color.GrayModel.Convert(b.At(b.Bounds().Min.X+x, b.Bounds().Min.Y+y)).(color.Gray)
			if ga != gb {
				n++
			}
		}
	}
	return n
}

// checkRecoveryCodesPage checks, on the recovery codes page the tab shows, that the
// print button is there with JavaScript, and that the download (a same-origin POST, as
// the button sends) returns the codes shown, once.
func checkRecoveryCodesPage(t *testing.T, ctx context.Context, who string, codes []string) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	visible, err := chromedp.Run(sctx, chromedp.Evaluate[bool](`!document.getElementById('print-codes').hidden`))
	if err != nil || !visible {
		t.Errorf("%s: the print button is not shown (%v)", who, err)
	}
	file, err := chromedp.Run(sctx, chromedp.Evaluate[string](`(async () => {
		const r = await fetch('/login/recovery-codes', {method: 'POST'});
		return r.status + ' ' + r.headers.get('content-disposition') + '\n' + await r.text(); })()`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: download the recovery codes: %v", who, err)
	}
	if !strings.HasPrefix(file, "200 attachment") {
		t.Fatalf("%s: the download answered %.80q", who, file)
	}
	for _, c := range codes {
		if !strings.Contains(file, c) {
			t.Errorf("%s: the downloaded file lacks the code %s", who, c)
		}
	}
	screenshot(t, ctx, "identity-recovery-codes-"+who)
}

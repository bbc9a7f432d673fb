package sessions

import (
	"net/http"
	"time"
)

// appendHTTPDate appends t in the IMF-fixdate form of a cookie's Expires
// (http.TimeFormat, "Mon, 02 Jan 2006 15:04:05 GMT"), in UTC. It is what
// t.UTC().AppendFormat(b, http.TimeFormat) writes, without parsing the
// layout on every saved request; years outside 0–9999 fall back to it.
func appendHTTPDate(b []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.AppendFormat(b, http.TimeFormat)
	}
	hour, minute, sec := t.Clock()
	const days = "SunMonTueWedThuFriSat"
	const months = "JanFebMarAprMayJunJulAugSepOctNovDec"
	wd, mo := int(t.Weekday())*3, (int(month)-1)*3
	b = append(b, days[wd:wd+3]...)
	b = append(b, ", "...)
	b = append2(b, day)
	b = append(b, ' ')
	b = append(b, months[mo:mo+3]...)
	b = append(b, ' ')
	b = append2(b, year/100)
	b = append2(b, year%100)
	b = append(b, ' ')
	b = append2(b, hour)
	b = append(b, ':')
	b = append2(b, minute)
	b = append(b, ':')
	b = append2(b, sec)
	return append(b, " GMT"...)
}

// append2 appends n (0–99) as two digits.
func append2(b []byte, n int) []byte { return append(b, byte('0'+n/10), byte('0'+n%10)) }

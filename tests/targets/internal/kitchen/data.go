package kitchen

// The messages, in the protobuf JSON mapping. Zero values of plain proto3
// fields are left out (they are not sent); zero values that are sent on
// purpose: proto3 optional fields, oneof members, wrappers, map entries
// and repeated elements.

import (
	"encoding/base64"
	"strings"
)

// allBytes is base64 of the bytes 0x00 to 0xff.
var allBytes = func() string {
	b := make([]byte, 256)
	for i := range b {
		b[i] = byte(i)
	}
	return base64.StdEncoding.EncodeToString(b)
}()

// orderRequest has every kind of field. Its string has non-ASCII, ESC
// (a colour sequence), newline, tab, quotes, backslash, NUL, DEL, a C1
// control and a bidirectional override.
var orderRequest = `{
  "id": "order-1",
  "scalars": {
    "doubleField": 3.141592653589793,
    "floatField": 1.1,
    "int32Field": -42,
    "int64Field": "-9007199254740993",
    "uint32Field": 4294967295,
    "uint64Field": "18446744073709551615",
    "sint32Field": -2147483648,
    "sint64Field": "-9223372036854775808",
    "fixed32Field": 4294967295,
    "fixed64Field": "18446744073709551615",
    "sfixed32Field": -2147483648,
    "sfixed64Field": "-9223372036854775808",
    "boolField": true,
    "stringField": "crème brûlée ✓ 日本 \u001b[31mred\u001b[0m\nline two\t\"quoted\" \\ \u0000 \u007f \u0085 \u202e",
    "bytesField": "` + allBytes + `"
  },
  "repeats": {
    "int32s": [0, 1, -1, 2147483647, -2147483648, 300],
    "looseInt32s": [7, -7, 128],
    "sint64s": ["0", "-1", "1", "9223372036854775807", "-9223372036854775808"],
    "doubles": [0.1, -0, 1e-300, 1.7976931348623157e308, 5e-324, "NaN", "Infinity", "-Infinity"],
    "floats": [1.1, -2.5, 3.4028235e38, 1e-45, "NaN"],
    "fixed32s": [0, 1, 4294967295],
    "sfixed64s": ["-1", "1", "-9223372036854775808"],
    "bools": [true, false, true],
    "uint64s": ["0", "18446744073709551615", "1"],
    "courses": ["STARTER", "DESSERT", 99, "LEFTOVERS"],
    "strings": ["", "plain", "ünïcödé", "\u001b", "line\nbreak"],
    "blobs": ["", "AA==", "/w=="],
    "dishes": [
      {"name": "soup", "course": "STARTER"},
      {},
      {"name": "cake", "course": "DESSERT", "spice": "VOLCANIC", "garnishes": [{"name": "mint", "grams": 2}]}
    ]
  },
  "maps": {
    "counts": {"a": "1", "": "0", "négatif": "-9223372036854775808"},
    "dishesById": {"1": {"name": "soup"}, "-5": {"name": "stew", "course": "MAIN"}, "0": {}},
    "flags": {"true": "yes", "false": ""},
    "courses": {"18446744073709551615": "MAIN", "0": 99},
    "blobs": {"-1": "3q2+7w==", "2147483647": ""}
  },
  "known": {
    "at": "2026-11-30T12:00:00.500Z",
    "wait": "1.500s",
    "extra": {"@type": "type.googleapis.com/gogrpctrace.test.kitchen.Dish", "name": "pie", "course": "DESSERT", "priceCents": "450"},
    "wrapped": {"@type": "type.googleapis.com/google.protobuf.Duration", "value": "3s"},
    "meta": {"chef": "Zoë", "stars": 3, "open": true, "closed": null, "hours": [8, "late", {"sunday": false}], "nested": {"deeper": {"x": -1.5}}},
    "value": [1, "two", null, true, {}],
    "list": ["a", 2.5, null, [], {"k": "v"}],
    "i64": "-9007199254740993",
    "u32": 4294967295,
    "str": "wrapped ✓",
    "flag": true,
    "blob": "AAEC",
    "dbl": -0.25,
    "flt": 0.1,
    "mask": "scalars.doubleField,known.at,repeats.looseInt32s",
    "nothing": {},
    "negative": "-0.000000001s",
    "nothingAtAll": null,
    "no": false,
    "longAgo": "0001-01-01T00:00:00Z"
  },
  "cashCents": "0",
  "table": 0,
  "note": "by the window",
  "rush": false,
  "course": 99,
  "partySize": 4,
  "special": {"name": "chef's special", "course": "LEFTOVERS"}
}`

// textRequest and the "plain" reply are what the text-mode test expects
// exactly; tests/runner/decode.go has their protobuf text form.
var textRequest = `{"id": "text-1",
  "scalars": {"int32Field": -1, "int64Field": "-5", "boolField": true, "stringField": "café \"x\"\n", "bytesField": "AP8="},
  "repeats": {"int32s": [1, 2], "courses": ["MAIN", 99]},
  "card": "x", "table": 7, "course": 99}`

// gzipRequest compresses well.
var gzipRequest = `{"id": "order-2",
  "scalars": {"stringField": "` + strings.Repeat("gzip me ", 64) + `"},
  "repeats": {"strings": [` + strings.Repeat(`"the same words again", `, 20) + `"end"]},
  "voucher": {"code": "HALF", "percent": 50},
  "table": 7, "note": "zipped"}`

var failRequest = `{"id": "order-3", "card": "4111 1111 1111 1111"}`

var watchRequest = `{"orderId": "order-1", "steps": 3}`

var deliveries = []string{
	`{"item": "flour", "quantity": 25, "lot": "18446744073709551615", "weightKg": 25.5, "tags": ["dry", "organic"],
	  "label": {"@type": "type.googleapis.com/google.protobuf.StringValue", "value": "mill № 3"}}`,
	`{"item": "eggs", "quantity": -12, "lot": "1", "weightKg": 0.75}`,
	`{"item": "saffron", "tags": [""],
	  "label": {"@type": "type.googleapis.com/gogrpctrace.test.kitchen.Dish.Garnish", "name": "saffron", "grams": 1}}`,
}

var notes = []string{
	`{"from": "waiter", "text": "table 7 wants\nmore bread", "mood": "hungry", "replyTo": "", "plain": "bread?"}`,
	`{"from": "chef", "text": "\u001b[1mNO\u001b[0m", "mood": {"level": 11, "why": ["busy"]}, "raw": "AP8A/w=="}`,
	`{"from": "waiter", "mood": null, "dish": {"name": "bread", "course": "STARTER"}}`,
}

var cleanRequest = `{"stations": ["grill", "pass"], "within": "3600s", "areas": "floor,kitchenSink"}`

// cannedReplies are what the server sends, by method (or by the name in
// the x-reply metadata); Chat echoes instead.
var cannedReplies = map[string][]string{
	"Order": {`{"id": "order-1", "course": "MAIN",
	  "dishes": [{"name": "soup", "course": "STARTER", "spice": "HOT", "garnishes": [{"name": "chive", "grams": 1}], "priceCents": "650"},
	             {"name": "ramen", "course": "MAIN", "priceCents": "1400"}],
	  "readyAt": "2026-11-30T12:30:00.123456Z", "eta": "900.000001s",
	  "totals": {"net": "2050", "tax": "-1"}, "acceptedBy": "Chef Zoë", "table": 12}`},
	"plain": {`{"id": "text-1", "course": "DESSERT",
	  "dishes": [{"name": "tart", "spice": "VOLCANIC", "garnishes": [{"name": "mint", "grams": -3}]}],
	  "totals": {"net": "-7"}, "rejectedBecause": "no \"tart\"\nleft"}`},
	"Watch": {
		`{"step": 1, "station": "grill", "course": "MAIN", "at": "2026-11-30T12:01:00Z", "stamp": "AQID", "detail": {"temp": 230, "unit": "°C"}}`,
		`{"step": 2, "station": "pass", "course": "MAIN", "at": "2026-11-30T12:05:00.250Z", "detail": {"checked": true}}`,
		`{"step": 3, "station": "table 7", "at": "2026-11-30T12:06:00Z"}`,
	},
	"Stock": {`{"onHand": {"flour": "25", "eggs": "-12"}, "deliveries": 3, "refused": ["saffron"], "changed": "onHand,refused"}`},
	"Menu": {`{"dishes": [{"name": "soup"}, {"name": "pie", "course": "DESSERT"}],
	  "byNumber": {"1": {"name": "soup"}, "2": {"name": "pie", "course": "DESSERT"}},
	  "specials": ["pie", 4.5, false, null]}`},
	"Clean": {`{}`},
}

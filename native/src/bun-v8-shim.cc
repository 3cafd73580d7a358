/*
 * V8 and Node C++ API functions this addon calls that Bun 1.4's V8 emulation does not export,
 * defined on top of what it does export (Function::Call, Object::Get, ArrayBuffer::New, ...),
 * mostly by calling the JS built-in with the same meaning. The build's symbol audit lists what
 * must be here. JS thread only, like the V8 API itself; never keep a Local across calls.
 */
#include <node.h>
#include <node_buffer.h>
#include <v8.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>

using v8::Array;
using v8::ArrayBuffer;
using v8::ArrayBufferView;
using v8::BackingStoreInitializationMode;
using v8::Context;
using v8::Function;
using v8::Global;
using v8::Int32;
using v8::Integer;
using v8::Isolate;
using v8::Just;
using v8::Local;
using v8::Maybe;
using v8::MaybeLocal;
using v8::NewStringType;
using v8::Nothing;
using v8::Number;
using v8::Object;
using v8::RegExp;
using v8::String;
using v8::Value;

namespace {

// `this` inside a V8 value method is the handle's slot, which is all a Local holds.
template <class T>
Local<T> Self(const void* self) {
  static_assert(sizeof(Local<T>) == sizeof(void*), "a Local is one pointer");
  Local<T> local;
  void* slot = const_cast<void*>(self);
  memcpy(static_cast<void*>(&local), &slot, sizeof slot);
  return local;
}

MaybeLocal<Value> GetProperty(Isolate* iso, Local<Context> ctx, Local<Value> obj,
                              const char* name) {
  Local<String> key = String::NewFromUtf8(iso, name, NewStringType::kInternalized).ToLocalChecked();
  return obj.As<Object>()->Get(ctx, key);
}

// A JS built-in found by a dotted path from globalThis ("Buffer.from"), looked up once and
// called with its owner as `this` unless the caller gives another receiver.
class Builtin {
 public:
  explicit Builtin(const char* path) : path_(path) {}

  MaybeLocal<Value> Call(int argc, Local<Value>* argv) {
    return CallOn(Local<Value>(), argc, argv);
  }

  MaybeLocal<Value> CallOn(Local<Value> receiver, int argc, Local<Value>* argv) {
    Isolate* iso = Isolate::GetCurrent();
    Local<Context> ctx = iso->GetCurrentContext();
    if (fn_.IsEmpty() && !Resolve(iso, ctx)) return MaybeLocal<Value>();
    Local<Value> self = receiver.IsEmpty() ? owner_.Get(iso) : receiver;
    return fn_.Get(iso)->Call(ctx, self, argc, argv);
  }

 private:
  bool Resolve(Isolate* iso, Local<Context> ctx) {
    Local<Value> owner = ctx->Global();
    Local<Value> cur = owner;
    char part[64];
    for (const char* p = path_; *p;) {
      size_t n = strcspn(p, ".");
      if (n >= sizeof part) return false;
      memcpy(part, p, n);
      part[n] = 0;
      owner = cur;
      if (!GetProperty(iso, ctx, owner, part).ToLocal(&cur)) return false;
      p += n + (p[n] == '.');
    }
    if (!cur->IsFunction()) return false;
    fn_.Reset(iso, cur.As<Function>());
    owner_.Reset(iso, owner);
    return true;
  }

  const char* path_;
  Global<Function> fn_;
  Global<Value> owner_;
};

Builtin object_keys("Object.keys");
Builtin reflect_has("Reflect.has");
Builtin object_ctor("Object");
Builtin boolean_ctor("Boolean");
Builtin object_to_string("Object.prototype.toString");
Builtin buffer_from("Buffer.from");
Builtin buffer_to_string("Buffer.prototype.toString");

// A Node Buffer holding a copy of data: Bun exports no way to adopt foreign memory.
MaybeLocal<Object> CopyToBuffer(Isolate* iso, const char* data, size_t len) {
  Local<ArrayBuffer> ab =
      ArrayBuffer::New(iso, len, BackingStoreInitializationMode::kUninitialized);
  if (len > 0) memcpy(ab->GetBackingStore()->Data(), data, len);
  Local<Value> argv[1] = {ab};
  Local<Value> buf;
  if (!buffer_from.Call(1, argv).ToLocal(&buf)) return MaybeLocal<Object>();
  return buf.As<Object>();
}

const char* EncodingName(node::encoding enc) {
  switch (enc) {
    case node::ASCII: return "ascii";
    case node::BASE64: return "base64";
    case node::BASE64URL: return "base64url";
    case node::UCS2: return "ucs2";
    case node::LATIN1: return "latin1";
    case node::HEX: return "hex";
    default: return "utf8";
  }
}

}  // namespace

namespace v8 {

// V8's default filter: own, enumerable, string-keyed properties.
MaybeLocal<Array> Object::GetOwnPropertyNames(Local<Context> context) {
  (void)context;
  Local<Value> argv[1] = {Self<Value>(this)};
  Local<Value> keys;
  if (!object_keys.Call(1, argv).ToLocal(&keys)) return MaybeLocal<Array>();
  return keys.As<Array>();
}

// The `in` operator: own or inherited.
Maybe<bool> Object::Has(Local<Context> context, Local<Value> key) {
  (void)context;
  Local<Value> argv[2] = {Self<Value>(this), key};
  Local<Value> found;
  if (!reflect_has.Call(2, argv).ToLocal(&found)) return Nothing<bool>();
  return Just(found->IsTrue());
}

MaybeLocal<Object> Value::ToObject(Local<Context> context) const {
  (void)context;
  if (IsObject()) return Self<Object>(this);
  Isolate* iso = Isolate::GetCurrent();
  if (IsNullOrUndefined()) {
    iso->ThrowException(Exception::TypeError(
        String::NewFromUtf8Literal(iso, "Cannot convert undefined or null to object")));
    return MaybeLocal<Object>();
  }
  Local<Value> argv[1] = {Self<Value>(this)};
  Local<Value> wrapped;
  if (!object_ctor.Call(1, argv).ToLocal(&wrapped)) return MaybeLocal<Object>();
  return wrapped.As<Object>();
}

bool Value::BooleanValue(Isolate* isolate) const {
  (void)isolate;
  if (IsBoolean()) return IsTrue();
  Local<Value> argv[1] = {Self<Value>(this)};
  Local<Value> b;
  return boolean_ctor.Call(1, argv).ToLocal(&b) && b->IsTrue();
}

Maybe<int32_t> Value::Int32Value(Local<Context> context) const {
  Local<Int32> i;
  if (!ToInt32(context).ToLocal(&i)) return Nothing<int32_t>();
  return Just(i->Value());
}

// As V8: truncate toward zero, NaN is 0, saturate at the int64 range.
Maybe<int64_t> Value::IntegerValue(Local<Context> context) const {
  if (!IsNumber()) {
    Local<Integer> i;
    if (!ToInteger(context).ToLocal(&i)) return Nothing<int64_t>();
    return Just(i->Value());
  }
  double d = Self<Number>(this)->Value();
  if (std::isnan(d)) return Just<int64_t>(0);
  if (d >= 9223372036854775807.0) return Just(std::numeric_limits<int64_t>::max());
  if (d <= -9223372036854775808.0) return Just(std::numeric_limits<int64_t>::min());
  return Just(static_cast<int64_t>(d));
}

bool Value::IsRegExp() const {
  if (!IsObject()) return false;
  Isolate* iso = Isolate::GetCurrent();
  Local<Value> tag;
  if (!object_to_string.CallOn(Self<Value>(this), 0, nullptr).ToLocal(&tag)) return false;
  return tag->StrictEquals(String::NewFromUtf8Literal(iso, "[object RegExp]"));
}

Local<String> RegExp::GetSource() const {
  Isolate* iso = Isolate::GetCurrent();
  Local<Value> source;
  if (!GetProperty(iso, iso->GetCurrentContext(), Self<Value>(this), "source").ToLocal(&source) ||
      !source->IsString()) {
    return String::NewFromUtf8Literal(iso, "");
  }
  return source.As<String>();
}

}  // namespace v8

namespace node {
namespace Buffer {

bool HasInstance(Local<Value> val) { return val->IsUint8Array(); }

char* Data(Local<Value> val) {
  Local<ArrayBufferView> view = val.As<ArrayBufferView>();
  return static_cast<char*>(view->Buffer()->GetBackingStore()->Data()) + view->ByteOffset();
}

char* Data(Local<Object> val) { return Data(val.As<Value>()); }

size_t Length(Local<Value> val) { return val.As<ArrayBufferView>()->ByteLength(); }

size_t Length(Local<Object> val) { return Length(val.As<Value>()); }

// Node takes ownership of `data` (malloc'd); the copy lets it be freed at once.
MaybeLocal<Object> New(Isolate* isolate, char* data, size_t length) {
  MaybeLocal<Object> buf = CopyToBuffer(isolate, data, length);
  free(data);
  return buf;
}

}  // namespace Buffer

MaybeLocal<Value> TryEncode(Isolate* isolate, const char* buf, size_t len, encoding enc) {
  if (enc == UTF8 && len <= static_cast<size_t>(std::numeric_limits<int>::max())) {
    Local<String> text;
    if (!String::NewFromUtf8(isolate, buf, NewStringType::kNormal, static_cast<int>(len))
             .ToLocal(&text)) {
      return MaybeLocal<Value>();
    }
    return text;
  }
  Local<Object> bytes;
  if (!CopyToBuffer(isolate, buf, len).ToLocal(&bytes)) return MaybeLocal<Value>();
  if (enc == BUFFER) return bytes;
  Local<Value> argv[1] = {String::NewFromUtf8(isolate, EncodingName(enc)).ToLocalChecked()};
  return buffer_to_string.CallOn(bytes, 1, argv);
}

}  // namespace node

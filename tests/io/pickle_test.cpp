#include <advbn/error.h>
#include <advbn/io/pickle_reader.h>
#include <advbn/io/pickle_writer.h>
#include <gtest/gtest.h>

#include <string>

#include "io/io_test_support.h"

namespace advbn::io {
namespace {

using testing::error_message;
using Kind = PickleValue::Kind;

// A string literal's bytes, embedded zeros included.
template <size_t N>
std::string raw(const char (&literal)[N]) {
  return std::string(literal, N - 1);
}

Unpickled parse(const std::string& bytes, const StorageResolver& resolve = {}) {
  MemorySource source(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), "test.pkl");
  return unpickle(source, resolve);
}

Unpickled parse(const std::vector<uint8_t>& bytes, const StorageResolver& resolve = {}) {
  return parse(std::string(bytes.begin(), bytes.end()), resolve);
}

// pickle.dumps({'k': b'abc', 'l': [1.5, None, True, False], 'n': -7, 'big': 2**70, 'i': 70000,
//               't': ('x', 'x')}, protocol=P) from CPython 3.
const std::string kProtocol2 =
    raw("\x80\x02\x7d\x71\x00\x28\x58\x01\x00\x00\x00\x6b\x71\x01\x63\x5f\x63\x6f\x64\x65\x63\x73\x0a\x65\x6e\x63\x6f"
        "\x64\x65\x0a\x71\x02\x58\x03\x00\x00\x00\x61\x62\x63\x71\x03\x58\x06\x00\x00\x00\x6c\x61\x74\x69\x6e\x31\x71"
        "\x04\x86\x71\x05\x52\x71\x06\x58\x01\x00\x00\x00\x6c\x71\x07\x5d\x71\x08\x28\x47\x3f\xf8\x00\x00\x00\x00\x00"
        "\x00\x4e\x88\x89\x65\x58\x01\x00\x00\x00\x6e\x71\x09\x4a\xf9\xff\xff\xff\x58\x03\x00\x00\x00\x62\x69\x67\x71"
        "\x0a\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00\x40\x58\x01\x00\x00\x00\x69\x71\x0b\x4a\x70\x11\x01\x00\x58\x01"
        "\x00\x00\x00\x74\x71\x0c\x58\x01\x00\x00\x00\x78\x71\x0d\x68\x0d\x86\x71\x0e\x75\x2e");
const std::string kProtocol4 =
    raw("\x80\x04\x95\x52\x00\x00\x00\x00\x00\x00\x00\x7d\x94\x28\x8c\x01\x6b\x94\x43\x03\x61\x62\x63\x94\x8c\x01\x6c"
        "\x94\x5d\x94\x28\x47\x3f\xf8\x00\x00\x00\x00\x00\x00\x4e\x88\x89\x65\x8c\x01\x6e\x94\x4a\xf9\xff\xff\xff\x8c"
        "\x03\x62\x69\x67\x94\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00\x40\x8c\x01\x69\x94\x4a\x70\x11\x01\x00\x8c\x01"
        "\x74\x94\x8c\x01\x78\x94\x68\x09\x86\x94\x75\x2e");

void expect_sample_object(const PickleValue& root) {
  ASSERT_EQ(root.kind, Kind::Dict);
  ASSERT_EQ(root.entries.size(), 6u);
  const PickleValue* bytes = root.find("k");
  ASSERT_NE(bytes, nullptr);
  EXPECT_EQ(bytes->kind, Kind::Bytes);
  EXPECT_EQ(bytes->text, "abc");
  const PickleValue* list = root.find("l");
  ASSERT_EQ(list->kind, Kind::List);
  ASSERT_EQ(list->items.size(), 4u);
  EXPECT_EQ(list->items[0]->kind, Kind::Float);
  EXPECT_EQ(list->items[0]->real, 1.5);
  EXPECT_EQ(list->items[1]->kind, Kind::None);
  EXPECT_TRUE(list->items[2]->boolean);
  EXPECT_FALSE(list->items[3]->boolean);
  EXPECT_EQ(root.find("n")->integer, -7);
  EXPECT_EQ(root.find("i")->integer, 70000);
  EXPECT_EQ(root.find("big")->kind, Kind::LargeInt);
  EXPECT_EQ(root.find("big")->text, raw("\0\0\0\0\0\0\0\0\x40"));
  const PickleValue* tuple = root.find("t");
  ASSERT_EQ(tuple->kind, Kind::Tuple);
  ASSERT_EQ(tuple->items.size(), 2u);
  EXPECT_EQ(tuple->items[0], tuple->items[1]) << "memoised values are shared";
  EXPECT_TRUE(tuple->items[0]->is_string("x"));
}

TEST(PickleReader, ReadsPythonProtocol2) { expect_sample_object(parse(kProtocol2).root()); }

TEST(PickleReader, ReadsPythonProtocols4And5) {
  expect_sample_object(parse(kProtocol4).root());
  std::string protocol5 = kProtocol4;
  protocol5[1] = 5;
  expect_sample_object(parse(protocol5).root());
}

TEST(PickleReader, RoundTripsWriterIntegersAndStrings) {
  const int64_t values[] = {0,
                            255,
                            256,
                            65535,
                            65536,
                            -1,
                            -2147483648LL,
                            2147483647,
                            2147483648LL,
                            -9223372036854775807LL - 1,
                            9223372036854775807LL};
  PickleWriter writer;
  writer.mark();
  for (const int64_t value : values) writer.integer(value);
  writer.string("ünïcode");
  writer.boolean(true);
  writer.tuple();
  const Unpickled result = parse(writer.finish());
  const auto& items = result.root().items;
  ASSERT_EQ(items.size(), std::size(values) + 2);
  for (size_t i = 0; i < std::size(values); ++i) {
    EXPECT_EQ(items[i]->kind, Kind::Int);
    EXPECT_EQ(items[i]->integer, values[i]);
  }
  EXPECT_TRUE(items[std::size(values)]->is_string("ünïcode"));
  EXPECT_TRUE(items.back()->boolean);
}

TEST(PickleReader, LaterSetItemReplacesEarlierKey) {
  // {'a': 1} then SETITEM 'a' = 2, as Python would build it.
  const Unpickled result =
      parse(raw("\x80\x02}X\x01\x00\x00\x00"
                "aK\x01sX\x01\x00\x00\x00"
                "aK\x02s."));
  ASSERT_EQ(result.root().entries.size(), 1u);
  EXPECT_EQ(result.root().find("a")->integer, 2);
}

TEST(PickleReader, RefusesGlobalsOutsideTheAllowList) {
  const std::string os_system = raw("\x80\x02\x63os\nsystem\nX\x02\x00\x00\x00ls\x85R.");
  std::string message = error_message([&] { parse(os_system); });
  EXPECT_NE(message.find("refused to load global 'os.system'"), std::string::npos) << message;
  EXPECT_NE(message.find("test.pkl"), std::string::npos) << message;

  const std::string eval =
      raw("\x80\x02\x63\x62uiltins\neval\nX\x01\x00\x00\x00"
          "1\x85R.");
  message = error_message([&] { parse(eval); });
  EXPECT_NE(message.find("'builtins.eval'"), std::string::npos) << message;

  // STACK_GLOBAL, protocol 4.
  const std::string stack_global = raw("\x80\x04\x8c\x05posix\x8c\x06system\x93)R.");
  message = error_message([&] { parse(stack_global); });
  EXPECT_NE(message.find("'posix.system'"), std::string::npos) << message;
}

TEST(PickleReader, RefusesCallingAllowedGlobalsInOtherWays) {
  const std::string call_storage = raw("\x80\x02\x63torch\nFloatStorage\n)R.");
  EXPECT_NE(error_message([&] { parse(call_storage); }).find("cannot be called"), std::string::npos);
  const std::string build_list = raw("\x80\x02]}b.");
  EXPECT_NE(error_message([&] { parse(build_list); }).find("BUILD on a list"), std::string::npos);
  const std::string unsupported = raw("\x80\x02I1\n.");
  EXPECT_NE(error_message([&] { parse(unsupported); }).find("unsupported pickle opcode 0x49"), std::string::npos);
  const std::string persistent =
      raw("\x80\x02X\x01\x00\x00\x00"
          "aQ.");
  EXPECT_NE(error_message([&] { parse(persistent); }).find("persistent id"), std::string::npos);
}

TEST(PickleReader, RejectsMalformedInput) {
  for (size_t length = 0; length < kProtocol4.size(); ++length) {
    const std::string message = error_message([&] { parse(kProtocol4.substr(0, length)); });
    EXPECT_NE(message.find("test.pkl"), std::string::npos) << message;
  }
  EXPECT_NE(error_message([&] { parse(raw("\x80\x02h\x05.")); }).find("memo"), std::string::npos);
  EXPECT_NE(error_message([&] {
              parse(
                  raw("\x80\x02"
                      "a."));
            }).find("underflow"),
            std::string::npos);
  EXPECT_NE(error_message([&] { parse(raw("\x80\x02X\xff\xff\xff\x7f.")); }).find("past the end"), std::string::npos);
}

TEST(PickleReader, SurvivesDeepNestingAndCycles) {
  // 200000 lists nested in one another, then a list containing itself: neither may overflow
  // the stack or leak.
  constexpr size_t kDepth = 200000;
  std::string nested = "\x80\x02" + std::string(kDepth, ']') + std::string(kDepth - 1, 'a') + ".";
  const Unpickled deep = parse(nested);
  EXPECT_EQ(deep.root().items.size(), 1u);
  const Unpickled cycle =
      parse(raw("\x80\x02]q\x00h\x00"
                "a."));
  ASSERT_EQ(cycle.root().items.size(), 1u);
  EXPECT_EQ(cycle.root().items[0], &cycle.root());
}

// A pickle of _rebuild_tensor_v2 over storage '0', as torch.save writes it.
std::vector<uint8_t> tensor_pickle(int64_t offset, std::vector<int64_t> sizes, std::vector<int64_t> strides) {
  PickleWriter writer;
  writer.global("torch._utils", "_rebuild_tensor_v2");
  writer.mark();
  writer.mark();
  writer.string("storage");
  writer.global("torch", "FloatStorage");
  writer.string("0");
  writer.string("cpu");
  writer.integer(10);
  writer.tuple();
  writer.persistent_id();
  writer.integer(offset);
  writer.mark();
  for (const int64_t size : sizes) writer.integer(size);
  writer.tuple();
  writer.mark();
  for (const int64_t stride : strides) writer.integer(stride);
  writer.tuple();
  writer.boolean(false);
  writer.global("collections", "OrderedDict");
  writer.empty_tuple();
  writer.reduce();
  writer.tuple();
  writer.reduce();
  return writer.finish();
}

TEST(PickleReader, RebuildsStridedTensorsInsideTheirStorage) {
  const at::Tensor storage = at::arange(10, at::kFloat);
  const StorageResolver resolve = [&](const PickleValue& id) {
    EXPECT_EQ(id.items.at(1)->storage_dtype, at::kFloat);
    return storage;
  };
  const Unpickled view = parse(tensor_pickle(3, {2, 3}, {1, 2}), resolve);
  ASSERT_EQ(view.root().kind, Kind::Tensor);
  EXPECT_TRUE(at::equal(view.root().tensor, storage.as_strided({2, 3}, {1, 2}, 3)));
  EXPECT_EQ(view.root().tensor.data_ptr(), storage.as_strided({2, 3}, {1, 2}, 3).data_ptr()) << "a view, not a copy";

  const Unpickled last = parse(tensor_pickle(1, {3}, {4}), resolve);  // touches element 9
  EXPECT_EQ(last.root().tensor.numel(), 3);
  const Unpickled empty = parse(tensor_pickle(10, {0, 5}, {5, 1}), resolve);
  EXPECT_EQ(empty.root().tensor.numel(), 0);

  const std::string message = error_message([&] { parse(tensor_pickle(1, {4}, {3}), resolve); });
  EXPECT_NE(message.find("does not fit its storage of 10 elements"), std::string::npos) << message;
  EXPECT_FALSE(error_message([&] { parse(tensor_pickle(0, {2, 1LL << 62}, {1LL << 62, 4}), resolve); }).empty());
  EXPECT_FALSE(error_message([&] { parse(tensor_pickle(0, {2}, {1, 1}), resolve); }).empty());
}

}  // namespace
}  // namespace advbn::io

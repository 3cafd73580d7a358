/**
 * @module source/addon-shim
 * Stands in for the `bindings` package inside @confluentinc/kafka-javascript: loads uvbridge.node,
 * then the Kafka addon (both from scripts/build-addon), by literal paths so `bun build --compile`
 * embeds them. Must never load the addon before the bridge is installed (native/README.md).
 */
const bridge = require('../../.build/addon/uvbridge.node')
const addon = require('../../.build/addon/confluent-kafka-javascript.node')

addon.setUvBridge(bridge.bridge)

/** The `bindings` call signature: `require('bindings')('confluent-kafka-javascript')`. */
module.exports = function bindings() {
  return addon
}

"""Kafka admin and exact producing/reading for tests, via Debian's python3-confluent-kafka.

Called by tests/support/kafka-tools.ts as: kafka-client.py OP JSON_ARGS, with data on stdin and
one JSON answer on stdout. It must never report success for a message without a delivery report.
"""
import base64
import json
import sys
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic


def b64(data):
    return None if data is None else base64.b64encode(data).decode('ascii')


def unb64(text):
    return None if text is None else base64.b64decode(text)


def partitions_of(client, topic, timeout):
    meta = client.list_topics(topic, timeout=timeout).topics.get(topic)
    if meta is None or meta.error is not None:
        raise RuntimeError('unknown topic %s: %s' % (topic, meta.error if meta else 'absent'))
    return sorted(meta.partitions.keys())


def wait_until_ready(brokers, topic, partitions, deadline):
    # CreateTopics answers before the partitions can serve: first the metadata lacks leaders,
    # then the leader briefly answers "not leader". Ready = every partition reports its offsets.
    consumer = Consumer({'bootstrap.servers': brokers, 'group.id': 'kafka-client-ready'})
    try:
        pending = set(range(partitions))
        last = None
        while pending and time.time() < deadline:
            for p in sorted(pending):
                try:
                    consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=2)
                    pending.discard(p)
                except KafkaException as err:
                    last = err
            if pending:
                time.sleep(0.05)
        if pending:
            raise RuntimeError('partitions %s of %s not ready in time: %s' % (sorted(pending), topic, last))
    finally:
        consumer.close()


def create(args):
    admin = AdminClient({'bootstrap.servers': args['brokers']})
    topic, partitions = args['topic'], args['partitions']
    deadline = time.time() + args['timeoutS']
    future = admin.create_topics([NewTopic(topic, partitions, 1)], request_timeout=args['timeoutS'])[topic]
    try:
        future.result(args['timeoutS'])
    except KafkaException as err:
        if err.args[0].name() != 'TOPIC_ALREADY_EXISTS':
            raise
        existing = len(partitions_of(admin, topic, 5))
        if existing != partitions:
            raise RuntimeError('topic %s exists with %d partitions, not %d' % (topic, existing, partitions))
    wait_until_ready(args['brokers'], topic, partitions, deadline)
    return {'topic': topic, 'partitions': partitions}


def group_consumer(args):
    return Consumer({
        'bootstrap.servers': args['brokers'],
        'group.id': args['group'],
        'enable.auto.commit': False,
    })


def committed(args):
    consumer = group_consumer(args)
    try:
        parts = partitions_of(consumer, args['topic'], args['timeoutS'])
        tps = consumer.committed([TopicPartition(args['topic'], p) for p in parts], timeout=args['timeoutS'])
        for tp in tps:
            if tp.error is not None:
                raise RuntimeError('committed offset of partition %d: %s' % (tp.partition, tp.error))
        # A negative offset means "no committed offset" for that partition.
        return {str(tp.partition): tp.offset for tp in tps if tp.offset >= 0}
    finally:
        consumer.close()


def commit(args):
    consumer = group_consumer(args)
    try:
        offsets = [TopicPartition(args['topic'], int(p), o) for p, o in args['offsets'].items()]
        for tp in consumer.commit(offsets=offsets, asynchronous=False):
            if tp.error is not None:
                raise RuntimeError('commit of partition %d: %s' % (tp.partition, tp.error))
        return {'committed': len(offsets)}
    finally:
        consumer.close()


def produce(args):
    producer = Producer({
        'bootstrap.servers': args['brokers'],
        'enable.idempotence': True,
        'linger.ms': 5,
        'message.timeout.ms': args['timeoutS'] * 1000,
    })
    report = {'sent': 0, 'delivered': 0, 'errors': []}

    def on_delivery(err, _msg):
        if err is None:
            report['delivered'] += 1
        elif len(report['errors']) < 10:
            report['errors'].append(str(err))

    for line in sys.stdin:
        msg = json.loads(line)
        headers = [(k, v.encode('utf-8')) for k, v in (msg.get('h') or {}).items()]
        partition = msg.get('p')
        while True:
            try:
                producer.produce(args['topic'], value=unb64(msg.get('v')), key=unb64(msg.get('k')),
                                 partition=-1 if partition is None else partition,
                                 headers=headers or None, on_delivery=on_delivery)
                break
            except BufferError:
                producer.poll(0.1)
        report['sent'] += 1
        producer.poll(0)
    left = producer.flush(args['timeoutS'])
    report['undelivered'] = left
    return report


def read(args):
    consumer = Consumer({
        'bootstrap.servers': args['brokers'],
        'group.id': 'kafka-client-read',
        'enable.auto.commit': False,
        'enable.partition.eof': False,
    })
    try:
        topic = args['topic']
        ends = {}
        for p in partitions_of(consumer, topic, args['timeoutS']):
            low, high = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=args['timeoutS'])
            if high > low:
                ends[p] = high
        consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in ends])
        deadline = time.time() + args['timeoutS']
        records = []
        while ends and time.time() < deadline:
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            if msg.error() is not None:
                raise RuntimeError(str(msg.error()))
            p = msg.partition()
            records.append({'p': p, 'o': msg.offset(), 'k': b64(msg.key()), 'v': b64(msg.value()),
                            'h': [[k, b64(v)] for k, v in (msg.headers() or [])]})
            if msg.offset() + 1 >= ends.get(p, 0):
                ends.pop(p, None)
        if ends:
            raise RuntimeError('read of %s timed out with partitions %s unfinished' % (topic, sorted(ends)))
        return records
    finally:
        consumer.close()


OPS = {'create': create, 'committed': committed, 'commit': commit, 'produce': produce, 'read': read}

if __name__ == '__main__':
    try:
        print(json.dumps(OPS[sys.argv[1]](json.loads(sys.argv[2]))))
    except Exception as err:  # one line the caller can show, not a traceback
        print('%s: %s' % (type(err).__name__, err), file=sys.stderr)
        sys.exit(1)

// The Java client's own answer to "which partition does this key go to": what Kafka Connect,
// Java services and Redpanda's clients do. Reads keys (one per line) on stdin, produces each
// to the topic with the default partitioner and prints "key<TAB>partition".
// Run: java -cp 'KAFKA_JARS/*' JavaPartitions.java BOOTSTRAP TOPIC
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.Scanner;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

public class JavaPartitions {
    public static void main(String[] args) throws Exception {
        Properties config = new Properties();
        config.put("bootstrap.servers", args[0]);
        config.put("acks", "all");
        config.put("enable.idempotence", "true");
        ByteArraySerializer bytes = new ByteArraySerializer();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, bytes, bytes);
             Scanner keys = new Scanner(System.in, StandardCharsets.UTF_8)) {
            while (keys.hasNextLine()) {
                String key = keys.nextLine();
                ProducerRecord<byte[], byte[]> record =
                    new ProducerRecord<>(args[1], key.getBytes(StandardCharsets.UTF_8), new byte[0]);
                System.out.println(key + "\t" + producer.send(record).get().partition());
            }
        }
    }
}

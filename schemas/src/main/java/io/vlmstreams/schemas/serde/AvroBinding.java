package io.vlmstreams.schemas.serde;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

import java.util.function.Function;

/** How one Java representation of Avro data (generated classes, or generic records) is read and written. */
interface AvroBinding<T> {

    /** The schema {@code value} was built with. */
    Schema schemaOf(T value);

    DatumWriter<T> writer(Schema schema);

    /** A reader turning data written with {@code writerSchema} into this binding's representation. */
    DatumReader<T> reader(Schema writerSchema);

    /** Generated classes: read with the class's own schema, so readers see their compiled version. */
    static <T extends SpecificRecord> AvroBinding<T> specific(Class<T> type) {
        // The class's own model carries its logical type conversions (timestamp-millis -> Instant).
        SpecificData model = SpecificData.getForClass(type);
        Schema readerSchema = model.getSchema(type);
        return of(schema -> new SpecificDatumWriter<>(schema, model),
                writerSchema -> new SpecificDatumReader<>(writerSchema, readerSchema, model));
    }

    /** Generic records: read with {@code readerSchema}, or with the writer's schema when it is null. */
    static <T extends GenericContainer> AvroBinding<T> generic(Schema readerSchema) {
        GenericData model = GenericData.get();
        return of(schema -> new GenericDatumWriter<>(schema, model),
                writerSchema -> new GenericDatumReader<>(writerSchema, readerSchema != null ? readerSchema : writerSchema, model));
    }

    /** Values that carry their own schema, with datum writers and readers made by the given factories. */
    private static <T extends GenericContainer> AvroBinding<T> of(
            Function<Schema, DatumWriter<T>> writers, Function<Schema, DatumReader<T>> readers) {
        return new AvroBinding<>() {
            @Override
            public Schema schemaOf(T value) {
                return value.getSchema();
            }

            @Override
            public DatumWriter<T> writer(Schema schema) {
                return writers.apply(schema);
            }

            @Override
            public DatumReader<T> reader(Schema writerSchema) {
                return readers.apply(writerSchema);
            }
        };
    }
}

package io.vlmstreams.inference.text;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;

import java.util.Map;

/** {@code tojson} as transformers defines it for chat templates: Python's json.dumps; see {@link PythonJson}. */
final class PythonToJsonFilter implements Filter {

    @Override
    public String getName() {
        return "tojson";
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
        Integer indent = args.length > 0 && args[0] != null && !args[0].isBlank() ? Integer.valueOf(args[0].trim()) : null;
        return PythonJson.dumps(var, indent, false);
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
        Object indent = kwargs.containsKey("indent") ? kwargs.get("indent") : args.length > 0 ? args[0] : null;
        Object sort = kwargs.get("sort_keys");
        return PythonJson.dumps(var, indent == null ? null : ((Number) toNumber(indent)).intValue(),
                sort != null && Boolean.parseBoolean(sort.toString()));
    }

    private static Object toNumber(Object o) {
        return o instanceof Number ? o : Long.valueOf(o.toString().trim());
    }
}

package io.aix.profile;

import io.quarkus.arc.Arc;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.spi.Bean;
import java.util.Map;
import java.util.TreeMap;

/** The application's named beans, which a route's {@code bean:} step may name. */
public final class NamedBeans {
  private NamedBeans() {}

  /** Bean name to bean class, for every named bean of the running application. */
  public static Map<String, Class<?>> all() {
    Map<String, Class<?>> beans = new TreeMap<>();
    for (Bean<?> bean :
        Arc.container().beanManager().getBeans(Object.class, Any.Literal.INSTANCE)) {
      if (bean.getName() != null) {
        beans.put(bean.getName(), bean.getBeanClass());
      }
    }
    return beans;
  }
}

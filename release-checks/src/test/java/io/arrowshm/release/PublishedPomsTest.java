package io.arrowshm.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * What a repository asks of the published artifacts: every module that installs is in the BOM at the
 * reactor's version, and every published POM has a name, a description, and (its own or its
 * parent's) URL, license, SCM and developers. A new module (Arrow tensors, Flight) that installs
 * fails here until the BOM lists it, or until it is marked test-only
 * ({@code maven.install.skip} and {@code maven.deploy.skip}).
 */
class PublishedPomsTest {
    private static final Path ROOT = Path.of(System.getProperty("arrowshm.root", "..")).toAbsolutePath().normalize();

    @Test
    void theBomListsEveryPublishedModuleAtTheReactorsVersion() throws Exception {
        Element root = pom(ROOT.resolve("pom.xml"));
        Element bom = pom(ROOT.resolve("bom/pom.xml"));
        String version = text(root, "version");
        assertEquals(version, text(bom, "version"), "bom/pom.xml's <version> must be the reactor's (root pom.xml)");
        assertEquals(text(root, "groupId"), text(bom, "groupId"));
        assertTrue(child(bom, "parent") == null, "arrow-shm-bom has no parent: an imported BOM would bring the"
                + " parent's whole dependencyManagement (JUnit, Jackson, ...) into users' builds");

        Map<String, String> managed = new LinkedHashMap<>();
        Element management = child(bom, "dependencyManagement");
        for (Element dependency : children(child(management, "dependencies"), "dependency")) {
            managed.put(text(dependency, "groupId") + ":" + text(dependency, "artifactId"), text(dependency, "version"));
        }
        List<String> published = published();
        assertFalse(published.isEmpty());
        for (String artifactId : published) {
            String key = text(root, "groupId") + ":" + artifactId;
            assertTrue(managed.containsKey(key), artifactId + " is installed (so published) but missing from bom/pom.xml:"
                    + " add it to the BOM's dependencyManagement with <version>${project.version}</version>, or mark the"
                    + " module test-only with maven.install.skip and maven.deploy.skip");
            assertEquals("${project.version}", managed.get(key), key + " in bom/pom.xml");
        }
        TreeSet<String> extra = new TreeSet<>();
        managed.keySet().stream().filter(key -> key.startsWith(text(root, "groupId") + ":"))
                .map(key -> key.substring(key.indexOf(':') + 1)).filter(id -> !published.contains(id)).forEach(extra::add);
        assertTrue(extra.isEmpty(), "bom/pom.xml lists modules the reactor does not publish: " + extra);
    }

    @Test
    void everyPublishedPomIsComplete() throws Exception {
        Element root = pom(ROOT.resolve("pom.xml"));
        Element bom = pom(ROOT.resolve("bom/pom.xml"));
        for (Element carrier : List.of(root, bom)) {
            String id = text(carrier, "artifactId");
            for (String field : List.of("name", "description", "url")) {
                assertFalse(text(carrier, field).isBlank(), id + " has no <" + field + ">");
            }
            assertFalse(children(child(carrier, "licenses"), "license").isEmpty(), id + " has no <licenses>");
            assertFalse(children(child(carrier, "developers"), "developer").isEmpty(), id + " has no <developers>");
            Element scm = child(carrier, "scm");
            assertTrue(scm != null && !text(scm, "connection").isBlank() && !text(scm, "url").isBlank(), id + " has no <scm>");
        }
        assertEquals("false", root.getAttribute("child.project.url.inherit.append.path"),
                "modules would publish the URL with their artifactId appended");
        for (String module : modules(root)) {
            Element pom = pom(ROOT.resolve(module).resolve("pom.xml"));
            if (isPublished(pom) && !module.equals("bom")) {
                for (String field : List.of("name", "description")) {
                    assertFalse(text(pom, field).isBlank(), module + "/pom.xml has no <" + field + ">");
                }
                for (String inherited : List.of("url", "licenses", "developers", "scm")) {
                    assertTrue(child(pom, inherited) == null, module + "/pom.xml overrides <" + inherited
                            + ">: the root pom's is the project's");
                }
                List<String> plugins = new ArrayList<>();
                Element build = child(pom, "build");
                if (build != null && child(build, "plugins") != null) {
                    children(child(build, "plugins"), "plugin").forEach(p -> plugins.add(text(p, "artifactId")));
                }
                if (!"pom".equals(text(pom, "packaging"))) {
                    assertTrue(plugins.contains("maven-source-plugin") && plugins.contains("maven-javadoc-plugin"),
                            module + "/pom.xml must declare maven-source-plugin and maven-javadoc-plugin (a repository"
                                    + " wants -sources.jar and -javadoc.jar; the root pom configures both)");
                }
            }
        }
        assertTrue(Files.isRegularFile(ROOT.resolve("LICENSE")), "no LICENSE file at the repository root");
    }

    /** The artifactIds of the reactor's modules that install (and so would deploy). */
    private static List<String> published() throws Exception {
        List<String> ids = new ArrayList<>();
        for (String module : modules(pom(ROOT.resolve("pom.xml")))) {
            Element pom = pom(ROOT.resolve(module).resolve("pom.xml"));
            if (isPublished(pom) && !module.equals("bom")) {
                ids.add(text(pom, "artifactId"));
            }
        }
        return ids;
    }

    private static boolean isPublished(Element pom) {
        Element properties = child(pom, "properties");
        return properties == null || !"true".equals(text(properties, "maven.install.skip"));
    }

    private static List<String> modules(Element root) {
        return children(child(root, "modules"), "module").stream().map(Node::getTextContent).map(String::trim).toList();
    }

    private static Element pom(Path file) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(false);
        Document document = factory.newDocumentBuilder().parse(file.toFile());
        return document.getDocumentElement();
    }

    private static Element child(Element parent, String name) {
        if (parent == null) {
            return null;
        }
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element element && element.getTagName().equals(name)) {
                return element;
            }
        }
        return null;
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> found = new ArrayList<>();
        if (parent == null) {
            return found;
        }
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i) instanceof Element element && element.getTagName().equals(name)) {
                found.add(element);
            }
        }
        return found;
    }

    private static String text(Element parent, String name) {
        Element element = child(parent, name);
        return element == null ? "" : element.getTextContent().trim();
    }
}

package io.jenkins.plugins.openstackagents.pool;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.Optional;
import org.junit.Test;

/** The ownership a floating IP's description carries. */
public class OwnershipTest {

    private final Ownership agent = new Ownership("0123456789abcdef", "os", "linux", "os-linux-abc123");

    @Test
    public void aDescriptionNamesControllerCloudTemplateAndAgent() {
        assertEquals("openstack-agents controller=0123456789abcdef cloud=os template=linux agent=os-linux-abc123",
                agent.toDescription());
        assertEquals(Optional.of(agent), Ownership.ofDescription(agent.toDescription()));
    }

    @Test
    public void namesWithSpacesAndEqualSignsComeBackAsTheyWere() {
        Ownership odd = new Ownership("0123456789abcdef", "my cloud=1", "tmpl é", "a+b c");

        assertEquals(Optional.of(odd), Ownership.ofDescription(odd.toDescription()));
        assertEquals("no space within a value", 5, odd.toDescription().split(" ").length);
    }

    @Test
    public void thePrefixSelectsOneCloudOfOneController() {
        String prefix = Ownership.descriptionPrefix("0123456789abcdef", "os");

        assertTrue(agent.toDescription().startsWith(prefix));
        for (Ownership other : new Ownership[] {
                new Ownership("0123456789abcdef", "os2", "linux", "os2-linux-abc123"),
                new Ownership("fedcba9876543210", "os", "linux", "os-linux-abc123")}) {
            assertTrue(other.toString(), !other.toDescription().startsWith(prefix));
        }
    }

    @Test
    public void aHandMadeOrForeignDescriptionIsNobodys() {
        for (String d : new String[] {null, "", "openstack-agents", "my test floating IP",
                "openstack-agents-x controller=c cloud=os template=t agent=a",
                "openstack-agents controller=c cloud=os agent=a",                     // no template
                "openstack-agents controller=c cloud=os cloud=os2 template=t agent=a", // twice
                "openstack-agents controller=c cloud=os template=t agent=a note",
                "openstack-agents controller=c cloud=%zz template=t agent=a"}) {
            assertEquals(String.valueOf(d), Optional.empty(), Ownership.ofDescription(d));
        }
    }

    @Test
    public void anotherControllersDescriptionIsItsOwn() {
        Ownership theirs = new Ownership("fedcba9876543210", "os", "linux", "os-linux-xyz789");

        assertEquals("fedcba9876543210", Ownership.ofDescription(theirs.toDescription()).orElseThrow().controller());
    }

    @Test
    public void typicalNamesFitNeutronsDescription() {
        String names = "x".repeat(187 - "os".length() - "linux".length());
        Ownership longest = new Ownership("0123456789abcdef", "os", "linux", names);

        assertEquals(Ownership.MAX_DESCRIPTION_LENGTH, longest.toDescription().length());
    }
}
